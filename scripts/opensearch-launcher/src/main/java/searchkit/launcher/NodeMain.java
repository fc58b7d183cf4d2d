package searchkit.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.MockNode;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * One OpenSearch node of a loopback cluster, in this JVM, with the plugins it
 * needs taken from the classpath (the published artifacts, no distribution).
 *
 * <pre>
 * java -cp ... searchkit.launcher.NodeMain NAME HOME HTTP_PORT TRANSPORT_PORT SEEDS MANAGERS
 * </pre>
 * SEEDS: host:port of every node's transport, comma separated; MANAGERS: the
 * node names that elect the first cluster manager, comma separated. Stopped by
 * SIGTERM: the node closes, its files left consistent.
 */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: NodeMain NAME HOME HTTP_PORT TRANSPORT_PORT SEEDS MANAGERS CLUSTER");
            System.exit(2);
        }
        Path home = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("plugins"));
        Files.createDirectories(home.resolve("modules"));
        Settings settings = Settings.builder()
            .put("node.name", args[0])
            .put("cluster.name", args[6])
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", args[2])
            .put("transport.port", args[3])
            .putList("discovery.seed_hosts", List.of(args[4].split(",")))
            .putList("cluster.initial_cluster_manager_nodes", List.of(args[5].split(",")))
            .put("transport.type", "netty4")
            .put("http.type", "netty4")
            // A shared, small disk must not turn the test indexes read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("node.processors", 1)
            // The serial collector leaves garbage in the heap until it fills: counted as
            // real usage, it trips the parent breaker after a few hundred indexes made and
            // deleted (HTTP 429), as OpenSearch documents for collectors other than G1.
            .put("indices.breaker.total.use_real_memory", false)
            .build();
        List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, CommonAnalysisPlugin.class);
        Node node = new MockNode(settings, plugins);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception error) {
                System.err.println("closing the node: " + error);
            } finally {
                stopped.countDown();
            }
        }, "node-close"));
        node.start();
        System.out.println("started " + args[0] + " http 127.0.0.1:" + args[2]);
        stopped.await();
    }
}
