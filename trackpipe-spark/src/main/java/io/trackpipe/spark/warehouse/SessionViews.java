package io.trackpipe.spark.warehouse;

import static io.trackpipe.spark.ingest.EventColumns.EVENT_ID;
import static io.trackpipe.spark.ingest.EventColumns.EVENT_TIME;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.unix_millis;

import io.trackpipe.session.PageView;
import io.trackpipe.session.SessionDefinition;
import io.trackpipe.warehouse.session.SessionStage;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/** Counted events as the page views of a domain's sessions: the columns to read, and the rows read as views. */
public final class SessionViews {
  private SessionViews() {}

  /** User, event time (epoch milliseconds), event id, page, then the dimensions, in the section's order. */
  public static Column[] columns(SessionDefinition sessions) {
    List<Column> columns = new ArrayList<>(List.of(col(sessions.user()), unix_millis(col(EVENT_TIME)), col(EVENT_ID), col(sessions.page())));
    sessions.dimensions().forEach(d -> columns.add(col(d)));
    return columns.toArray(Column[]::new);
  }

  /** Rows of {@link #columns} as views; events without a user are left out (they belong to no session). */
  public static List<PageView> of(List<Row> rows, SessionStage stage) {
    List<PageView> views = new ArrayList<>(rows.size());
    for (Row row : rows) {
      List<Object> dimensions = new ArrayList<>(row.length() - 4);
      for (int i = 4; i < row.length(); i++) dimensions.add(row.get(i));
      PageView view = stage.view(row.get(0), row.getLong(1), row.getString(2), row.get(3), dimensions);
      if (view != null) views.add(view);
    }
    return views;
  }
}
