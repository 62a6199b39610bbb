package io.trackpipe.event;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;

/**
 * A schema's field positions by name, for the decoder's one look-up per JSON field. Jackson hands out field names
 * interned (its default), and this table keeps the interned names too, so a hit is usually one hash probe and one
 * reference comparison: no boxed position and no character-by-character comparison, which {@code Map.copyOf} costs
 * (about a tenth of the collector's decode time in a profile). Open addressing with linear probing in a table at most
 * half full. Immutable.
 */
final class FieldIndex implements Serializable {
  @Serial
  private static final long serialVersionUID = 1L;

  private final String[] names;
  private final String[] slots;
  private final int[] positions;
  private final int mask;

  FieldIndex(List<String> names) {
    this.names = names.toArray(String[]::new);
    int size = Integer.highestOneBit(Math.max(2, this.names.length) * 2 - 1) << 1; // a power of two ≥ 2 × fields
    this.slots = new String[size];
    this.positions = new int[size];
    this.mask = size - 1;
    for (int i = 0; i < this.names.length; i++) {
      String name = this.names[i].intern();
      int slot = spread(name.hashCode()) & mask;
      while (slots[slot] != null) {
        if (slots[slot].equals(name)) throw new IllegalArgumentException("field '" + name + "' is declared twice");
        slot = (slot + 1) & mask;
      }
      slots[slot] = name;
      positions[slot] = i;
    }
  }

  /** The field's position, or -1 when the schema has no such field. */
  int positionOf(String name) {
    int slot = spread(name.hashCode()) & mask;
    String candidate;
    while ((candidate = slots[slot]) != null) {
      if (candidate == name || candidate.equals(name)) return positions[slot];
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }

  /** Deserialised names are new String instances: rebuild the table from interned ones, so hits stay reference-equal. */
  @Serial
  private Object readResolve() {
    return new FieldIndex(List.of(names));
  }
}
