package io.trackpipe.domain;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A rule's condition: comparisons of a field with literals, joined by {@code AND}. Written as in SQL:
 * {@code type_of_event = 'purchase' AND price > 0}, {@code country IN ('DE', 'FR')}, {@code price IS NOT NULL}.
 * Operators: {@code = != <> < <= > >= IN NOT IN IS NULL IS NOT NULL}; literals: numbers, {@code 'text'}, {@code true},
 * {@code false}. A comparison with a field the event does not have is false (test for it with {@code IS NULL}).
 *
 * <p>Small on purpose: the decoder evaluates it in Java on its one pass, so the collector, the stream and the batch
 * path judge an event alike. Immutable once {@link #bind bound} to a schema.
 */
public final class Condition implements Serializable {
  private static final long serialVersionUID = 1L;
  /** True for every event. */
  public static final Condition ALWAYS = new Condition("", List.of());

  private final String text;
  private final List<Comparison> comparisons;

  private Condition(String text, List<Comparison> comparisons) {
    this.text = text;
    this.comparisons = List.copyOf(comparisons);
  }

  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** The field names it reads. */
  public List<String> fields() {
    return comparisons.stream().map(Comparison::field).distinct().toList();
  }

  enum Operator { EQ, NE, LT, LE, GT, GE, IN, NOT_IN, IS_NULL, IS_NOT_NULL }

  /** One comparison; {@code index} and {@code type} are set by {@link #bind}. */
  record Comparison(String field, Operator operator, List<Object> literals, int index, FieldType type, int scale)
      implements Serializable {}

  /**
   * Parses {@code text}.
   *
   * @return the condition, or the problem (one line) that stops it
   */
  public static Parsed parse(String text) {
    try {
      return new Parsed(new Condition(text.trim(), new Parser(text).conditions()), null);
    } catch (IllegalArgumentException e) {
      return new Parsed(null, e.getMessage());
    }
  }

  /** {@link #parse}'s outcome: exactly one of the two is set. */
  public record Parsed(Condition condition, String problem) {}

  /**
   * This condition with each field resolved against {@code schema}.
   *
   * @param problems where a field that does not exist, or a literal that cannot match its type, is reported
   */
  public Condition bind(EventSchema schema, String where, List<String> problems) {
    List<Comparison> bound = new ArrayList<>();
    for (Comparison c : comparisons) {
      Optional<EventField> field = schema.field(c.field());
      if (field.isEmpty()) {
        problems.add(where + ": '" + c.field() + "' is not a field of the event (fields: " + schema.fieldNames() + ")");
        continue;
      }
      EventField f = field.get();
      for (Object literal : c.literals()) {
        boolean fits = switch (f.type()) {
          case INTEGER, DECIMAL, TIMESTAMP -> literal instanceof BigDecimal;
          case BOOLEAN -> literal instanceof Boolean;
          case TEXT, ANY -> literal instanceof String;
          case ENUM -> literal instanceof String s && f.values().contains(s);
        };
        if (!fits) {
          problems.add(where + ": " + describe(literal) + " cannot be compared with " + f.type().yamlName() + " field '"
              + f.name() + "'" + (f.type() == FieldType.ENUM ? " (values: " + f.values() + ")" : ""));
        }
      }
      if (f.type() == FieldType.BOOLEAN && !List.of(Operator.EQ, Operator.NE, Operator.IS_NULL, Operator.IS_NOT_NULL).contains(c.operator())) {
        problems.add(where + ": boolean field '" + f.name() + "' is compared with = or != only");
      }
      bound.add(new Comparison(c.field(), c.operator(), c.literals(), schema.indexOf(f.name()), f.type(), f.scale()));
    }
    return new Condition(text, bound);
  }

  /** Whether the decoded {@code values} (by field index) satisfy every comparison. */
  public boolean test(Object[] values) {
    for (Comparison c : comparisons) {
      if (!test(c, values[c.index()])) return false;
    }
    return true;
  }

  private static boolean test(Comparison c, Object value) {
    if (c.operator() == Operator.IS_NULL) return value == null;
    if (c.operator() == Operator.IS_NOT_NULL) return value != null;
    if (value == null) return false;
    return switch (c.operator()) {
      case IN -> c.literals().stream().anyMatch(l -> compare(c, value, l) == 0);
      case NOT_IN -> c.literals().stream().noneMatch(l -> compare(c, value, l) == 0);
      case EQ -> compare(c, value, c.literals().get(0)) == 0;
      case NE -> compare(c, value, c.literals().get(0)) != 0;
      case LT -> compare(c, value, c.literals().get(0)) < 0;
      case LE -> compare(c, value, c.literals().get(0)) <= 0;
      case GT -> compare(c, value, c.literals().get(0)) > 0;
      case GE -> compare(c, value, c.literals().get(0)) >= 0;
      default -> throw new IllegalStateException(c.operator().name());
    };
  }

  private static int compare(Comparison c, Object value, Object literal) {
    return switch (c.type()) {
      case INTEGER, TIMESTAMP -> BigDecimal.valueOf((Long) value).compareTo((BigDecimal) literal);
      case DECIMAL -> BigDecimal.valueOf((Long) value, c.scale()).compareTo((BigDecimal) literal);
      case BOOLEAN -> value.equals(literal) ? 0 : 1;
      case TEXT, ENUM, ANY -> ((String) value).compareTo((String) literal);
    };
  }

  private static String describe(Object literal) {
    return literal instanceof String s ? "'" + s + "'" : String.valueOf(literal);
  }

  /** Recursive descent over a token list. */
  private static final class Parser {
    private final List<String> tokens;
    private int at;

    Parser(String text) {
      this.tokens = tokenize(text);
    }

    List<Comparison> conditions() {
      List<Comparison> out = new ArrayList<>();
      out.add(comparison());
      while (at < tokens.size()) {
        expectWord("AND");
        out.add(comparison());
      }
      return out;
    }

    Comparison comparison() {
      String field = next("a field name");
      if (!field.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("expected a field name, got '" + field + "'");
      String op = next("an operator");
      String upper = op.toUpperCase(Locale.ROOT);
      switch (upper) {
        case "IS" -> {
          boolean not = peekWord("NOT");
          if (not) at++;
          expectWord("NULL");
          return new Comparison(field, not ? Operator.IS_NOT_NULL : Operator.IS_NULL, List.of(), -1, null, 0);
        }
        case "IN" -> {
          return new Comparison(field, Operator.IN, list(), -1, null, 0);
        }
        case "NOT" -> {
          expectWord("IN");
          return new Comparison(field, Operator.NOT_IN, list(), -1, null, 0);
        }
        default -> {
          Operator operator = switch (op) {
            case "=" -> Operator.EQ;
            case "!=", "<>" -> Operator.NE;
            case "<" -> Operator.LT;
            case "<=" -> Operator.LE;
            case ">" -> Operator.GT;
            case ">=" -> Operator.GE;
            default -> throw new IllegalArgumentException("unknown operator '" + op
                + "' (expected = != <> < <= > >= IN, NOT IN, IS NULL, IS NOT NULL)");
          };
          return new Comparison(field, operator, List.of(literal()), -1, null, 0);
        }
      }
    }

    List<Object> list() {
      expect("(");
      List<Object> values = new ArrayList<>();
      values.add(literal());
      while (peek(",")) {
        at++;
        values.add(literal());
      }
      expect(")");
      return values;
    }

    Object literal() {
      String token = next("a value");
      if (token.startsWith("'")) return token.substring(1, token.length() - 1).replace("''", "'");
      if (token.equalsIgnoreCase("true")) return Boolean.TRUE;
      if (token.equalsIgnoreCase("false")) return Boolean.FALSE;
      try {
        return new BigDecimal(token);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number, a 'quoted text', true or false; got '" + token + "'");
      }
    }

    String next(String what) {
      if (at >= tokens.size()) throw new IllegalArgumentException("expected " + what + " at the end");
      return tokens.get(at++);
    }

    boolean peek(String token) {
      return at < tokens.size() && tokens.get(at).equals(token);
    }

    boolean peekWord(String word) {
      return at < tokens.size() && tokens.get(at).equalsIgnoreCase(word);
    }

    void expect(String token) {
      String got = next("'" + token + "'");
      if (!got.equals(token)) throw new IllegalArgumentException("expected '" + token + "', got '" + got + "'");
    }

    void expectWord(String word) {
      String got = next(word);
      if (!got.equalsIgnoreCase(word)) {
        throw new IllegalArgumentException("expected " + word + ", got '" + got + "' (conditions join comparisons with AND)");
      }
    }

    static List<String> tokenize(String text) {
      List<String> tokens = new ArrayList<>();
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '\'') {
          int j = i + 1;
          while (true) {
            if (j >= text.length()) throw new IllegalArgumentException("unterminated 'text'");
            if (text.charAt(j) == '\'') {
              if (j + 1 < text.length() && text.charAt(j + 1) == '\'') {
                j += 2;
                continue;
              }
              break;
            }
            j++;
          }
          tokens.add(text.substring(i, j + 1));
          i = j + 1;
        } else if ("(),".indexOf(c) >= 0) {
          tokens.add(String.valueOf(c));
          i++;
        } else if ("=<>!".indexOf(c) >= 0) {
          int j = i + 1;
          while (j < text.length() && "=<>".indexOf(text.charAt(j)) >= 0) j++;
          tokens.add(text.substring(i, j));
          i = j;
        } else {
          int j = i;
          while (j < text.length() && !Character.isWhitespace(text.charAt(j)) && "(),=<>!'".indexOf(text.charAt(j)) < 0) j++;
          tokens.add(text.substring(i, j));
          i = j;
        }
      }
      if (tokens.isEmpty()) throw new IllegalArgumentException("empty condition");
      return tokens;
    }
  }
}
