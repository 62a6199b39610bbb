package io.trackpipe.collector.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The JSON the collector answers with. Messages are escaped by the JSON writer; no stack trace ever goes out. */
final class ResponseBodies {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  /**
   * One rejected event of a request: its position in the request and why.
   *
   * @param code the reason's code, or {@code rule:<name>} for a broken rule of the domain
   */
  record Rejection(int index, String code, String message) {}

  private ResponseBodies() {}

  /** {@code {"request_id":…,"accepted":N,"rejected":[{"index":i,"reason":…,"message":…},…]}} */
  static byte[] verdicts(String requestId, int accepted, List<Rejection> rejections) {
    return write(json -> {
      json.writeStringField("request_id", requestId);
      json.writeNumberField("accepted", accepted);
      json.writeArrayFieldStart("rejected");
      for (Rejection rejection : rejections) {
        json.writeStartObject();
        json.writeNumberField("index", rejection.index());
        json.writeStringField("reason", rejection.code());
        json.writeStringField("message", rejection.message());
        json.writeEndObject();
      }
      json.writeEndArray();
    });
  }

  /** {@code {"request_id":…,"error":…,"message":…}} for a request refused as a whole. */
  static byte[] error(String requestId, String error, String message) {
    return write(json -> {
      json.writeStringField("request_id", requestId);
      json.writeStringField("error", error);
      json.writeStringField("message", message);
    });
  }

  /** {@code {"status":"up"|"down","kafka":…}}, and {@code "topics_missing":[domain…]} when some domain cannot take events. */
  static byte[] health(boolean up, String kafka, List<String> domainsWithoutTopics) {
    return write(json -> {
      json.writeStringField("status", up ? "up" : "down");
      json.writeStringField("kafka", kafka);
      if (!domainsWithoutTopics.isEmpty()) {
        json.writeArrayFieldStart("topics_missing");
        for (String domain : domainsWithoutTopics) json.writeString(domain);
        json.writeEndArray();
      }
    });
  }

  private interface Fields {
    void write(JsonGenerator json) throws IOException;
  }

  private static byte[] write(Fields fields) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256)) {
      try (JsonGenerator json = JSON.createGenerator(out)) {
        json.writeStartObject();
        fields.write(json);
        json.writeEndObject();
      }
      out.append('\n');
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a response to memory", e);
    }
  }
}
