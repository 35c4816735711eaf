import { isIP } from 'node:net';
import { constants } from 'node:os';
import { ContainerStateError } from '../../errors.js';
import type { ContainerSpec } from '../api/index.js';
import { validateLimits } from '../cgroups/limit-checks.js';
import { checkPortBinding } from './port-checks.js';
import { validateSecurity } from './process-security.js';
import { checkText, checkTextList, checkWhole, refuse } from './spec-field.js';

/** Container names are file names (the `containers/.names/<name>` link): NAME_MAX. */
export const MAX_NAME_LENGTH = 255;
/** The kernel's HOST_NAME_MAX: sethostname(2) refuses longer ones. */
export const MAX_HOSTNAME_LENGTH = 64;
/** setTimeout's limit: a longer stop timeout would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Names that go into /etc/hosts: one word, no space, no NUL. */
const HOST_WORD = /^[^\s\0]+$/;

/**
 * Checks everything a container spec says on its own, before the engine
 * makes anything for it (no directory, name link, volume, veth or port):
 * a bad value is an InvalidSpecError naming the field and what is allowed.
 * Mounts are checked by resolveMounts, also before anything is made.
 */
export function validateSpec(spec: ContainerSpec): void {
  if (typeof spec !== 'object' || spec === null) refuse('spec', spec, 'must be an object');
  if (spec.name !== undefined) checkContainerName(spec.name);
  if (spec.hostname !== undefined) checkHostWord('hostname', spec.hostname, MAX_HOSTNAME_LENGTH);
  if (spec.command !== undefined) checkTextList('command', spec.command);
  if (spec.entrypoint !== undefined) checkTextList('entrypoint', spec.entrypoint);
  if (spec.env !== undefined) checkEnv(spec.env);
  if (spec.workingDir !== undefined && spec.workingDir !== '') checkWorkingDir(spec.workingDir);
  if (spec.resources !== undefined) validateLimits(spec.resources);
  checkStop(spec);
  for (const [i, p] of (spec.ports ?? []).entries()) checkPortBinding(p, `ports[${i}]`);
  for (const [network, { aliases = [] } = {}] of Object.entries(spec.networks ?? {})) {
    for (const [i, a] of aliases.entries()) checkHostWord(`networks.${network}.aliases[${i}]`, a);
  }
  for (const [i, h] of (spec.extraHosts ?? []).entries()) checkExtraHost(h, `extraHosts[${i}]`);
  if (spec.volumesFrom !== undefined) checkTextList('volumesFrom', spec.volumesFrom);
  validateSecurity(spec);
}

/**
 * Checks the argv a container will run (the spec's and the image's
 * entrypoint and command together); `entrypoint` says which field the
 * program came from, for the message.
 */
export function checkArgv(argv: string[], from: 'command' | 'entrypoint'): void {
  if (argv.length === 0) {
    throw new ContainerStateError('no command specified', 'set a command or entrypoint, or use an image that defines one');
  }
  if (argv[0] === '') {
    refuse(`${from}[0]`, '', 'the program to run must not be an empty string', `name the program first, e.g. ['sh', '-c', 'echo hi']`);
  }
}

function checkContainerName(name: string): void {
  checkText('name', name);
  if (!NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    refuse(
      'name',
      name,
      `must be 1-${MAX_NAME_LENGTH} letters, digits, "_", "." or "-", starting with a letter or digit`,
      'choose a shorter or plainer name, or leave it out for a generated one',
    );
  }
}

function checkHostWord(field: string, value: string, max = MAX_NAME_LENGTH): void {
  checkText(field, value);
  if (!HOST_WORD.test(value) || value.length > max) refuse(field, value, `must be 1-${max} characters without spaces`);
}

function checkEnv(env: Record<string, string>): void {
  if (typeof env !== 'object' || env === null) refuse('env', env, 'must be an object of NAME: value');
  for (const [key, value] of Object.entries(env)) {
    checkText('env name', key);
    if (key === '' || key.includes('=')) {
      refuse(
        'env name',
        key,
        'must be a non-empty name without "="',
        'give names like APP_MODE; the value goes on the right: { APP_MODE: "test" }',
      );
    }
    checkText(`env.${key}`, value);
  }
}

function checkWorkingDir(dir: string): void {
  checkText('workingDir', dir);
  if (!dir.startsWith('/')) refuse('workingDir', dir, 'must be an absolute container path', `write it from the root, e.g. "/${dir}"`);
}

function checkStop(spec: ContainerSpec): void {
  if (spec.stopSignal !== undefined && !(spec.stopSignal in constants.signals)) {
    refuse('stopSignal', spec.stopSignal, 'must be a signal name such as SIGTERM, SIGINT or SIGQUIT');
  }
  if (spec.stopTimeoutMs !== undefined) {
    checkWhole('stopTimeoutMs', spec.stopTimeoutMs, 0, MAX_TIMEOUT_MS, `a whole number of milliseconds from 0 to ${MAX_TIMEOUT_MS}`);
  }
}

function checkExtraHost(h: { host: string; ipAddress: string }, field: string): void {
  checkHostWord(`${field}.host`, h.host);
  checkText(`${field}.ipAddress`, h.ipAddress);
  if (isIP(h.ipAddress) === 0) refuse(`${field}.ipAddress`, h.ipAddress, 'must be an IPv4 or IPv6 address');
}
