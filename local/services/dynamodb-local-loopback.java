// Starts Amazon DynamoDB Local listening on the loopback interface only.
// DynamoDB Local has no option for the address it binds (its -port server is a
// Jetty Server(port), which listens on every interface): this builds the same
// server from the same command-line options, sets its one connector's host to
// 127.0.0.1, then starts it. Run in Java's source-file mode, with
// DynamoDBLocal.jar on the class path; only reflection, so it compiles alone.
import java.lang.reflect.Field;

public class DynamoDbLocalLoopback {
  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object jetty = field.get(proxy);
    Object[] connectors = (Object[]) jetty.getClass().getMethod("getConnectors").invoke(jetty);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
    }
    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
