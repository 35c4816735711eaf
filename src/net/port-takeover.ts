import { PortInUseError } from '../errors.js';
import { type PortMapping, PortProxies } from './port-proxy.js';

const POLL_MS = 250;

/**
 * Keeps the published ports of a container that another process started
 * served while `running()` says it runs: a kept-alive (reused) container
 * outlives its starter, and with it the proxies that served its ports. Each
 * mapping nobody binds is bound here and relayed to `address`; one another
 * process holds is left to it and tried again later, so whichever user of
 * the container lives longest ends up serving. Polled on an unref'd timer:
 * it never keeps this process alive.
 */
export async function keepPortsServed(mappings: PortMapping[], address: string, running: () => Promise<boolean>): Promise<void> {
  const held = new Map<PortMapping, PortProxies>();
  const round = async (): Promise<void> => {
    if (!(await running())) {
      for (const proxies of held.values()) proxies.close();
      return;
    }
    for (const mapping of mappings) {
      if (held.has(mapping)) continue;
      try {
        const proxies = await PortProxies.reserve([mapping]);
        proxies.forwardTo(address);
        held.set(mapping, proxies);
      } catch (error) {
        if (!(error instanceof PortInUseError)) throw error;
      }
    }
    setTimeout(() => void round().catch(() => undefined), POLL_MS).unref();
  };
  await round(); // The first round before returning: ports free now are served when the caller goes on.
}
