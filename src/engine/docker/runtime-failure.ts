import { ContainerExecError, type ContainerStartError, ContainerUserError } from '../../errors.js';

/** The OCI runtime's words when it could not run a command (`docker exec` prints them and exits 126 or 127). */
const RUNTIME_FAILED = /OCI runtime (?:exec|create|start) failed: (.*)/s;
const UNKNOWN_USER = /^unable to find (user|group) \S+: no matching entries/;

/**
 * The typed error the local engine raises for a command that could not be
 * run, from the OCI runtime's message: a missing or unusable executable is a
 * {@link ContainerExecError} (with the errno the message names), an unknown
 * user a {@link ContainerUserError}; undefined when `message` is no such
 * failure.
 */
export function runtimeFailure(id: string, message: string): ContainerStartError | undefined {
  const found = RUNTIME_FAILED.exec(message);
  // runc's exec also reports an unknown user on its own, without the prefix.
  if (!found) return UNKNOWN_USER.test(message.trim()) ? new ContainerUserError(id, 2, message.trim()) : undefined;
  const detail = (found[1] ?? '').trim();
  if (/unable to find (user|group)|no matching entries in (passwd|group) file/i.test(detail)) return new ContainerUserError(id, 2, detail);
  return new ContainerExecError(id, /permission denied/i.test(detail) ? 13 : 2, detail);
}
