/**
 * Child process: dynalite (DynamoDB's wire protocol) on loopback, persisting under the
 * directory given as argv[2]. Reports its port to the parent over IPC.
 */
import dynalite from 'dynalite';

const path = process.argv[2];
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// Kept-alive connections live longer than the service's pauses (Node's default is 5 s): a
// burst of requests after a pause reuses its sockets instead of opening new ones.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.send?.({ ready: true, port: address.port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => server.close(() => process.exit(0)));
