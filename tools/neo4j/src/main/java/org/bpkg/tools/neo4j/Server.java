package org.bpkg.tools.neo4j;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Embedded Neo4j Community DBMS serving Bolt on 127.0.0.1 only, for development and CI
 * machines without Docker. Usage: Server DATA_DIR (or env BPKG_NEO4J_DATA).
 * Env: NEO4J_PASSWORD (required, >= 8 chars), NEO4J_BOLT_PORT (default 7687),
 * BPKG_NEO4J_PAGECACHE_MB (default 256: the page cache, raised for graphs far bigger than the tests').
 */
public final class Server {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws InterruptedException {
        String dataDir = args.length > 0 ? args[0] : System.getenv("BPKG_NEO4J_DATA");
        if (dataDir == null || dataDir.isBlank()) {
            fail("usage: Server DATA_DIR (or set BPKG_NEO4J_DATA)");
        }
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.length() < 8) {
            // Neo4j's own minimum is 8; checking here gives a clear message before startup.
            fail("NEO4J_PASSWORD must be set and at least 8 characters long");
        }
        int port = parsePort(System.getenv().getOrDefault("NEO4J_BOLT_PORT", "7687"));
        long pageCacheMb = parseMegabytes(System.getenv().getOrDefault("BPKG_NEO4J_PAGECACHE_MB", "256"));

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(Path.of(dataDir).toAbsolutePath())
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // No usage reports: the machines this runs on must not call out.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Modest memory so it fits next to the test suite; the JVM heap is set by neo4j.sh. A store larger
                // than the page cache is read from disk over and over (a 1M-relationship load: 3.4 GB of store).
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, ByteUnit.mebiBytes(512))
                .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.mebiBytes(256))
                // A runaway query is killed instead of hanging a test run.
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(60))
                .build();
        // Registered right after build so a TERM during startup still closes the store cleanly.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("BPKG-NEO4J stopping");
            dbms.shutdown();
            stopped.countDown();
        }, "bpkg-neo4j-shutdown"));

        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            System.err.println("BPKG-NEO4J ERROR: could not set the neo4j password: " + e.getMessage());
            System.exit(1);
        }
        double seconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        System.out.printf("BPKG-NEO4J READY bolt://%s:%d (JVM up %.1f s)%n", HOST, port, seconds);
        stopped.await();
    }

    private static void setPassword(DatabaseManagementService dbms, String password) {
        // The embedded API runs with full rights, so no current password is needed.
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // On restarts the password is usually unchanged, which Neo4j refuses as an error.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    private static long parseMegabytes(String value) {
        try {
            long mb = Long.parseLong(value.trim());
            if (mb >= 8 && mb <= 1_048_576) {
                return mb;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        fail("BPKG_NEO4J_PAGECACHE_MB must be a number of megabytes from 8 to 1048576, got: " + value);
        return -1;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value.trim());
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        fail("NEO4J_BOLT_PORT must be a TCP port number, got: " + value);
        return -1;
    }

    private static void fail(String message) {
        System.err.println("BPKG-NEO4J ERROR: " + message);
        System.exit(2);
    }
}
