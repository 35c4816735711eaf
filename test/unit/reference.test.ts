import { describe, expect, it } from 'vitest';
import { formatReference, isInsecureByDefault, parseReference } from '../../src/engine/image/reference.js';
import { InvalidReferenceError } from '../../src/errors.js';

describe('image references', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['someone/app:v1', 'docker.io/someone/app:v1'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
    ['127.0.0.1:5000/library/busybox:latest', '127.0.0.1:5000/library/busybox:latest'],
    ['ghcr.io/o/r/deep/name:tag', 'ghcr.io/o/r/deep/name:tag'],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
    [`q.io/x:1@sha256:${'b'.repeat(64)}`, `q.io/x:1@sha256:${'b'.repeat(64)}`],
  ])('normalises %s to %s', (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected);
  });

  it.each([
    ['', 'reference'],
    ['Busybox', 'repository component "Busybox"'],
    ['busybox:', 'tag ""'],
    ['busybox:-bad', 'tag "-bad"'],
    ['busybox@sha256:abc', 'digest "sha256:abc"'],
    [`busybox@md5:${'a'.repeat(32)}`, 'digest'],
    ['host:99999/app', 'registry port "99999"'],
    ['x/a..b', 'repository component "a..b"'],
    ['a..b/c', 'registry "a..b"'],
    ['bad_host!:5000/app', 'registry "bad_host!:5000"'],
    ['x//y', 'repository component ""'],
    [' busybox', 'reference'],
  ])('refuses %j and names the bad part (%s)', (input, part) => {
    let error: unknown;
    try {
      parseReference(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).part).toContain(part);
    expect((error as InvalidReferenceError).code).toBe('INVALID_REFERENCE');
    expect((error as InvalidReferenceError).hint).toMatch(/registry/);
  });

  it('speaks plain HTTP only to loopback registries by default', () => {
    expect(isInsecureByDefault('127.0.0.1:5000')).toBe(true);
    expect(isInsecureByDefault('127.8.9.10')).toBe(true);
    expect(isInsecureByDefault('localhost:5000')).toBe(true);
    expect(isInsecureByDefault('[::1]:5000')).toBe(true);
    expect(isInsecureByDefault('docker.io')).toBe(false);
    expect(isInsecureByDefault('10.0.0.1:5000')).toBe(false);
  });
});
