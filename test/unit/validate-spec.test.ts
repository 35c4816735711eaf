import { describe, expect, it } from 'vitest';
import { checkArgv, validateSpec } from '../../src/engine/container/validate-spec.js';
import { type ContainerSpec, ContainerStateError, InvalidSpecError } from '../../src/index.js';

/** The InvalidSpecError validateSpec throws for `spec`, or undefined when it passes. */
function refusal(spec: Partial<ContainerSpec>): InvalidSpecError | undefined {
  try {
    validateSpec({ image: 'busybox', ...spec });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSpecError);
    return error as InvalidSpecError;
  }
}

describe('container spec validation', () => {
  it('passes a spec of sound values', () => {
    const spec: Partial<ContainerSpec> = {
      name: 'web-1',
      hostname: 'web',
      command: ['sh', '-c', 'echo hi'],
      env: { A: '1', EMPTY: '' },
      workingDir: '/srv',
      ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'udp', hostPort: 5353, hostIp: '127.0.0.1' }],
      resources: { memory: 64 * 1024 ** 2, pidsLimit: 100 },
      stopSignal: 'SIGINT',
      extraHosts: [{ host: 'db', ipAddress: '10.0.0.2' }],
      networks: { backend: { aliases: ['api'] } },
    };
    expect(refusal(spec)).toBeUndefined();
  });

  it('names the field and what is allowed', () => {
    expect(refusal({ ports: [{ containerPort: 70000 }] })).toMatchObject({ field: 'ports[0].containerPort' });
    expect(refusal({ env: { 'A=B': 'x' } })?.message).toMatch(/env/);
    expect(refusal({ workingDir: 'relative' })).toMatchObject({ field: 'workingDir', hint: expect.stringContaining('"/relative"') });
    expect(refusal({ stopSignal: 'SIGNOPE' as NodeJS.Signals })).toMatchObject({ field: 'stopSignal' });
    expect(refusal({ command: ['sh', 'a\0b'] })).toMatchObject({ field: 'command[1]', message: expect.stringContaining('NUL') });
    expect(refusal({ name: 'has space' })).toMatchObject({ code: 'INVALID_SPEC' });
    expect(refusal({ hostname: 'h'.repeat(65) })?.message).toMatch(/1-64 characters/);
    expect(refusal({ extraHosts: [{ host: 'db', ipAddress: 'not-an-ip' }] })).toMatchObject({ field: 'extraHosts[0].ipAddress' });
    expect(refusal({ resources: { memory: 1024 } })?.message).toMatch(/memory/);
  });

  it('refuses an empty program, and a container with nothing to run', () => {
    expect(() => checkArgv(['', 'x'], 'entrypoint')).toThrow(InvalidSpecError);
    expect(() => checkArgv(['', 'x'], 'entrypoint')).toThrow(/entrypoint\[0\]/);
    expect(() => checkArgv([], 'command')).toThrow(ContainerStateError);
    expect(() => checkArgv(['true'], 'command')).not.toThrow();
  });
});
