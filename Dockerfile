# syntax=docker/dockerfile:1
# trackpipe's image: one image for every command (stream, batch, collect, serve, verify…), the command as its argument.
#   docker build -t trackpipe .
#   docker run --rm trackpipe stream --help
# The runtime stage holds bin/trackpipe, the CLI jar and the jars of its resolved classpath, laid out as in a built
# checkout, so the image runs exactly what `bin/trackpipe` runs.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The recorded classpath points into Maven's local repository and the modules' target folders: copy each jar into
# lib/ (numbered, so the classpath order is kept and equal file names cannot collide) and record the new paths.
RUN --mount=type=cache,target=/root/.m2 set -eu; \
    mvn -B -ntp -q -DskipTests package; \
    mkdir -p /dist/lib /dist/trackpipe-cli/target /dist/bin; \
    n=0; classpath=""; \
    for jar in $(tr ':' ' ' < trackpipe-cli/target/classpath.txt); do \
      n=$((n + 1)); name="$(printf '%04d' "$n")-$(basename "$jar")"; \
      cp "$jar" "/dist/lib/$name"; classpath="${classpath:+$classpath:}/opt/trackpipe/lib/$name"; \
    done; \
    printf '%s' "$classpath" > /dist/trackpipe-cli/target/classpath.txt; \
    cp trackpipe-cli/target/jvm.options /dist/trackpipe-cli/target/; \
    cp "$(ls trackpipe-cli/target/trackpipe-cli-*.jar | grep -v -- -tests.jar | head -n 1)" /dist/trackpipe-cli/target/; \
    cp bin/trackpipe /dist/bin/

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 trackpipe \
 && useradd --system --uid 10001 --gid trackpipe --home-dir /var/lib/trackpipe --create-home trackpipe
COPY --from=build /dist /opt/trackpipe
# Spark runs in local mode inside the container; bin/trackpipe binds its driver to loopback. Heap: share of the
# container's memory limit.
ENV TRACKPIPE_JAVA_OPTS="-XX:MaxRAMPercentage=75"
USER trackpipe
WORKDIR /var/lib/trackpipe
ENTRYPOINT ["/opt/trackpipe/bin/trackpipe"]
CMD ["--help"]
