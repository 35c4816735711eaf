import { GenericContainer } from '../../src/index.js';

/**
 * The reusable container the reuse tests and test/support/reuse-process.ts
 * both build, so their configurations (and hashes) match: sleeping, or a
 * busybox httpd serving the marker on published port 80.
 */
export function reusable(image: string, marker: string, httpd = false): GenericContainer {
  const base = new GenericContainer(image).withLabels({ marker }).withReuse();
  if (!httpd) return base.withCommand(['sleep', '1000']);
  const script = `mkdir -p /www && echo ${marker} > /www/index.html && exec httpd -f -p 80 -h /www`;
  return base.withCommand(['sh', '-c', script]).withExposedPorts(80);
}
