import { describe, expect, it } from 'vitest';
import { applyConfigChanges } from '../../src/engine/image/config-changes.js';
import { InvalidSpecError } from '../../src/errors.js';

describe('commit changes (docker commit --change)', () => {
  const base = { Env: ['PATH=/bin', 'A=old'], Cmd: ['sh'], Labels: { kept: 'yes' } };

  it('applies CMD and ENTRYPOINT in exec and shell form', () => {
    expect(applyConfigChanges(base, ['CMD ["echo", "hi"]']).Cmd).toEqual(['echo', 'hi']);
    expect(applyConfigChanges(base, ['CMD echo hi']).Cmd).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(applyConfigChanges(base, ['ENTRYPOINT ["/init"]']).Entrypoint).toEqual(['/init']);
    // Not a JSON list of strings: the shell form, as Docker takes it.
    expect(applyConfigChanges(base, ['CMD [1, 2]']).Cmd).toEqual(['/bin/sh', '-c', '[1, 2]']);
  });

  it('sets ENV and LABEL pairs, quoted or in the old "key value" form, over what the image had', () => {
    const next = applyConfigChanges(base, ['ENV A=new B="two words"', 'ENV C three words', "LABEL team=berth 'with space'=x"]);
    expect(next.Env).toEqual(['PATH=/bin', 'A=new', 'B=two words', 'C=three words']);
    expect(next.Labels).toEqual({ kept: 'yes', team: 'berth', 'with space': 'x' });
    expect(base.Env).toEqual(['PATH=/bin', 'A=old']); // The config given is left as it was.
  });

  it('sets EXPOSE (tcp unless said), VOLUME, USER, WORKDIR, STOPSIGNAL and ONBUILD; several per string', () => {
    const next = applyConfigChanges(base, [
      'EXPOSE 80 53/udp',
      'VOLUME ["/data", "/logs"]\nVOLUME /cache',
      'user berth',
      'WORKDIR /srv',
      'STOPSIGNAL SIGINT',
      'ONBUILD RUN make',
    ]);
    expect(next).toMatchObject({
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {}, '/logs': {}, '/cache': {} },
      User: 'berth',
      WorkingDir: '/srv',
      StopSignal: 'SIGINT',
      OnBuild: ['RUN make'],
    });
  });

  it('refuses instructions docker commit does not take, and malformed pairs, with InvalidSpecError', () => {
    expect(() => applyConfigChanges(base, ['RUN make'])).toThrow(InvalidSpecError);
    expect(() => applyConfigChanges(base, ['RUN make'])).toThrow(/not an instruction docker commit takes/);
    expect(() => applyConfigChanges(base, ['ENV A=1 =2'])).toThrow(/"=2" is not key=value/);
    expect(() => applyConfigChanges(base, ['WORKDIR'])).toThrow(InvalidSpecError);
  });
});
