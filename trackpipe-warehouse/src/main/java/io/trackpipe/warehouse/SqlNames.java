package io.trackpipe.warehouse;

/**
 * Table and column names in generated SQL. Rollup definitions name columns freely ({@code order}, {@code key}, …), so
 * every generated statement quotes every name; names are checked to be plain ({@code [a-z_][a-z0-9_]*}) where they are
 * declared, so a quoted name needs no escaping.
 */
public final class SqlNames {
  private SqlNames() {}

  /** {@code name} as a quoted identifier: {@code `order`}. Backquotes work in MySQL and MariaDB alike. */
  public static String quote(String name) {
    if (name.indexOf('`') >= 0) throw new IllegalArgumentException("not a plain SQL name: " + name);
    return "`" + name + "`";
  }
}
