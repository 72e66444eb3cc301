/**
 * Child process: s3rver (S3's wire protocol) on loopback, persisting under the directory
 * given as argv[2]. Started with --openssl-legacy-provider (s3rver's paginated listings
 * need it). Reports its port to the parent over IPC.
 */
import S3rver from 's3rver';

const directory = process.argv[2] ?? '.cellwise/s3';
const server = new S3rver({
  port: 0,
  address: '127.0.0.1',
  directory,
  silent: true,
  allowMismatchedSignatures: true,
});
const address = await server.run();
// Kept-alive connections outlive the service's pauses (see dynalite-process.ts).
(server as unknown as { httpServer: { keepAliveTimeout: number } }).httpServer.keepAliveTimeout = 65_000;
process.send?.({ ready: true, port: address.port });
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
