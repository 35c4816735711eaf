import { BerthError } from '../../errors.js';
import type { Engine } from '../api/index.js';

/**
 * An {@link Engine} that loads the real one at its first call: `getEngine()`
 * stays synchronous while the chosen backend's modules are imported (and a
 * Docker daemon found) only when a container is first asked for. Every
 * method waits for the load; `name` is known at once; `hostAddress()` and
 * `capabilities` are the loaded engine's (the SDK reads them after a call).
 * A failed load is tried again at the next call.
 */
export function lazyEngine(name: string, load: () => Promise<Engine>): Engine {
  let loaded: Engine | undefined;
  let loading: Promise<Engine> | undefined;
  const engine = (): Promise<Engine> => {
    loading ??= load().then(
      (real) => (loaded = real),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  const target = {
    name,
    hostAddress: (): string => {
      if (!loaded)
        throw new BerthError('ENGINE_NOT_READY', `the ${name} engine is not loaded yet`, { hint: 'await any engine call first' });
      return loaded.hostAddress();
    },
  };
  return new Proxy(target, {
    get(own, property) {
      if (property === 'name' || property === 'hostAddress') return own[property];
      if (property === 'capabilities') return loaded?.capabilities;
      // Not a thenable, nor a symbol-keyed protocol: only methods forward.
      if (typeof property !== 'string' || property === 'then') return undefined;
      if (loaded) {
        const value = (loaded as unknown as Record<string, unknown>)[property];
        return typeof value === 'function' ? value.bind(loaded) : value;
      }
      return async (...args: unknown[]) => {
        const real = (await engine()) as unknown as Record<string, (...a: unknown[]) => unknown>;
        const method = real[property];
        if (typeof method !== 'function') throw new TypeError(`the ${name} engine has no method ${property}`);
        return method.apply(real, args);
      };
    },
  }) as unknown as Engine;
}
