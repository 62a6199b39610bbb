package io.trackpipe.generator;

import io.trackpipe.dimension.Publisher;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A publisher from the dimension table with what its events repeat, pre-encoded as JSON literals. */
record AdSite(Publisher publisher, byte[] publisherId, byte[] referrer, byte[] utmSource, byte[] trackerId) {

  static AdSite of(Publisher publisher) {
    String host = publisher.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "");
    return new AdSite(
        publisher,
        Long.toString(publisher.id()).getBytes(StandardCharsets.US_ASCII),
        JsonBuffer.quoted("https://www." + host + ".example/"),
        JsonBuffer.quoted("publisher-" + publisher.id()),
        JsonBuffer.quoted(String.format(Locale.ROOT, "trk-%04d", publisher.id())));
  }
}
