package io.trackpipe.search;

/** Told after each {@code _bulk} request of a run, for progress lines; called on the indexing thread. */
@FunctionalInterface
public interface IndexProgress {
  IndexProgress NONE = (index, written, deleted) -> { };

  /**
   * @param written documents indexed in {@code index} so far in this run
   * @param deleted documents deleted from it so far in this run
   */
  void sent(String index, long written, long deleted);
}
