package io.trackpipe.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldIndexTest {

  @Test
  void findsEveryFieldWhateverTheStringInstanceAndMissesOthers() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 40; i++) names.add("field_" + i);
    names.add("Aa"); // "Aa" and "BB" share a hash code: the probe must go on past a colliding name
    names.add("BB");
    FieldIndex index = new FieldIndex(names);
    for (int i = 0; i < names.size(); i++) {
      assertThat(index.positionOf(new String(names.get(i).toCharArray()))).as(names.get(i)).isEqualTo(i);
    }
    assertThat(index.positionOf("field_40")).isEqualTo(-1);
    assertThat(index.positionOf("")).isEqualTo(-1);
    assertThat(index.positionOf("C#")).as("same hash as Aa and BB, not a field").isEqualTo(-1);
  }

  @Test
  void survivesSerialisationAsTheStreamShipsItToExecutors() throws Exception {
    FieldIndex index = new FieldIndex(List.of("job_id", "bid", "ts"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(index);
    }
    FieldIndex copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (FieldIndex) in.readObject();
    }
    assertThat(copy.positionOf("ts")).isEqualTo(2);
    assertThat(copy.positionOf("bid".intern())).isEqualTo(1);
    assertThat(copy.positionOf("campaign_id")).isEqualTo(-1);
  }

  @Test
  void refusesANameDeclaredTwice() {
    assertThatThrownBy(() -> new FieldIndex(List.of("a", "b", "a"))).hasMessageContaining("'a' is declared twice");
  }
}
