import { describe, expect, it } from 'vitest';
import { apiError, daemonMessage } from '../../src/engine/docker/api-errors.js';
import { splitTag } from '../../src/engine/docker/images.js';
import { runtimeFailure } from '../../src/engine/docker/runtime-failure.js';
import {
  ConflictError,
  ContainerExecError,
  ContainerNotFoundError,
  ContainerPathError,
  ContainerStateError,
  ContainerUserError,
  DockerApiError,
  ImageNotPresentError,
  NetworkError,
  NetworkNotFoundError,
  VolumeInUseError,
} from '../../src/index.js';

describe("the Docker daemon's answers as Berth's typed errors", () => {
  it('maps 404 to the subject\'s not-found error, trusting "No such image" on a create', () => {
    expect(apiError(404, 'No such container: x', { kind: 'container', name: 'x' })).toBeInstanceOf(ContainerNotFoundError);
    expect(apiError(404, 'No such image: busybox:latest', { kind: 'container', name: 'web' })).toMatchObject({
      constructor: ImageNotPresentError,
      message: expect.stringContaining('busybox:latest'),
    });
    expect(apiError(404, 'network n not found', { kind: 'network', name: 'n' })).toBeInstanceOf(NetworkNotFoundError);
    expect(apiError(404, 'Could not find the file /x in container c', { kind: 'path', name: '/x', container: 'c' })).toBeInstanceOf(
      ContainerPathError,
    );
    expect(apiError(404, 'No such container: c', { kind: 'path', name: '/x', container: 'c' })).toBeInstanceOf(ContainerNotFoundError);
  });

  it('maps 409 to a conflict for taken names, else to the state or volume error, with the message', () => {
    const taken = apiError(409, 'Conflict. The container name "/web" is already in use by container "ab12"', {
      kind: 'container',
      name: 'web',
    });
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken).toMatchObject({
      code: 'CONFLICT',
      kind: 'container',
      taken: 'web',
      message: expect.stringMatching(/^Docker daemon: Conflict/),
    });
    expect(apiError(409, 'network with name n already exists', { kind: 'network', name: 'n' })).toBeInstanceOf(ConflictError);
    expect(apiError(409, 'Container ab12 is not running', { kind: 'container', name: 'ab12' })).toBeInstanceOf(ContainerStateError);
    const inUse = apiError(409, 'remove v: volume is in use - [0123456789ab0123456789ab]', { kind: 'volume', name: 'v' });
    expect(inUse).toBeInstanceOf(VolumeInUseError);
    expect((inUse as VolumeInUseError).containers).toEqual(['0123456789ab0123456789ab']);
    expect(apiError(403, 'error while removing network: network n has active endpoints', { kind: 'network', name: 'n' })).toBeInstanceOf(
      NetworkError,
    );
    expect(apiError(500, 'Container ab12 is not paused', { kind: 'container', name: 'ab12' })).toBeInstanceOf(ContainerStateError);
    expect(apiError(500, 'boom', { kind: 'daemon' })).toMatchObject({ constructor: DockerApiError, status: 500 });
  });

  it('reads the message of an error body, JSON or not', () => {
    expect(daemonMessage('{"message":"No such container: x"}')).toBe('No such container: x');
    expect(daemonMessage('plain text\n')).toBe('plain text');
    expect(daemonMessage('')).toBe('no message');
  });

  it('tells a command the runtime could not run from one that ran', () => {
    const missing =
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "/x": stat /x: no such file or directory: unknown';
    expect(runtimeFailure('c', missing)).toMatchObject({ constructor: ContainerExecError, errno: 2 });
    expect(runtimeFailure('c', 'OCI runtime create failed: exec: "/x": permission denied: unknown')).toMatchObject({ errno: 13 });
    expect(runtimeFailure('c', 'OCI runtime exec failed: unable to find user nobody2: no matching entries in passwd file')).toBeInstanceOf(
      ContainerUserError,
    );
    expect(runtimeFailure('c', 'my script failed on its own')).toBeUndefined();
  });

  it('splits a reference where the API wants repository and tag apart', () => {
    expect(splitTag('127.0.0.1:5000/team/app:1.0')).toEqual({ repo: '127.0.0.1:5000/team/app', tag: '1.0' });
    expect(splitTag('127.0.0.1:5000/team/app')).toEqual({ repo: '127.0.0.1:5000/team/app', tag: 'latest' });
    expect(splitTag('app@sha256:abc')).toEqual({ repo: 'app', tag: 'sha256:abc' });
  });
});
