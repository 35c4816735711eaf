// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text holds ${VAR} substitutions, not templates
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/builder/dockerfile/parse.js';
import { expandWord } from '../../src/builder/dockerfile/substitute.js';
import { DockerfileError } from '../../src/errors.js';

/** Parses and returns the instructions of the first stage. */
function stage(text: string) {
  return (parseDockerfile(text).stages[0] ?? { instructions: [] }).instructions;
}

function parseError(text: string): DockerfileError {
  try {
    parseDockerfile(text, 'app/Dockerfile');
  } catch (error) {
    expect(error).toBeInstanceOf(DockerfileError);
    return error as DockerfileError;
  }
  throw new Error('parsed without error');
}

describe('Dockerfile parser', () => {
  it('reads FROM with --platform, AS and scratch, and global ARGs before it', () => {
    const file = parseDockerfile('ARG BASE=busybox\nFROM --platform=linux/amd64 ${BASE}:latest AS Build\nFROM scratch\n');
    expect(file.globalArgs[0]?.args).toEqual([{ name: 'BASE', default: 'busybox' }]);
    expect(file.stages.map((s) => s.from)).toMatchObject([
      { kind: 'FROM', image: '${BASE}:latest', platform: 'linux/amd64', alias: 'build', line: 2 },
      { kind: 'FROM', image: 'scratch', line: 3 },
    ]);
  });

  it('reads every instruction with its exec or shell form', () => {
    const [run, cmd, entry, label, maint, expose, env, add, copy, volume, user, workdir, arg, onbuild, stop, health, shell] = stage(
      [
        'FROM busybox',
        'RUN echo hi',
        'CMD ["sh", "-c", "echo $HOME"]',
        'ENTRYPOINT /bin/app --flag',
        'LABEL a=1 "b c"="d e"',
        'MAINTAINER Jane <jane@example.com>',
        'EXPOSE 80 53/udp',
        'ENV PATH=/x:$PATH OLD="a b"',
        'ADD --chown=1:2 --chmod=0640 app.tar /opt/',
        'COPY --from=build --link /out/bin /usr/local/bin/',
        'VOLUME ["/data", "/logs"]',
        'USER app:app',
        'WORKDIR /srv',
        'ARG A B=2',
        'ONBUILD COPY . /src',
        'STOPSIGNAL SIGINT',
        'HEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost',
        'SHELL ["/bin/bash", "-c"]',
      ].join('\n'),
    );
    expect(run).toMatchObject({ kind: 'RUN', command: { shell: 'echo hi' }, line: 2 });
    expect(cmd).toMatchObject({ kind: 'CMD', command: { exec: ['sh', '-c', 'echo $HOME'] } });
    expect(entry).toMatchObject({ kind: 'ENTRYPOINT', command: { shell: '/bin/app --flag' } });
    expect(label).toMatchObject({
      pairs: [
        { key: 'a', value: '1' },
        { key: '"b c"', value: '"d e"' },
      ],
    });
    expect(maint).toMatchObject({ kind: 'MAINTAINER', value: 'Jane <jane@example.com>' });
    expect(expose).toMatchObject({ words: ['80', '53/udp'] });
    expect(env).toMatchObject({
      pairs: [
        { key: 'PATH', value: '/x:$PATH' },
        { key: 'OLD', value: '"a b"' },
      ],
    });
    expect(add).toMatchObject({ kind: 'ADD', sources: ['app.tar'], dest: '/opt/', chown: '1:2', chmod: '0640', link: false });
    expect(copy).toMatchObject({ kind: 'COPY', from: 'build', link: true, sources: ['/out/bin'], dest: '/usr/local/bin/' });
    expect(volume).toMatchObject({ words: ['/data', '/logs'] });
    expect(user).toMatchObject({ value: 'app:app' });
    expect(workdir).toMatchObject({ value: '/srv' });
    expect(arg).toMatchObject({ args: [{ name: 'A' }, { name: 'B', default: '2' }] });
    expect(onbuild).toMatchObject({ kind: 'ONBUILD', trigger: 'COPY . /src', instruction: { kind: 'COPY', sources: ['.'], dest: '/src' } });
    expect(stop).toMatchObject({ value: 'SIGINT' });
    expect(health).toMatchObject({ kind: 'HEALTHCHECK', interval: '5s', retries: 3, command: { shell: 'wget -q localhost' } });
    expect(shell).toMatchObject({ kind: 'SHELL', shell: ['/bin/bash', '-c'] });
    expect(stage('FROM x\nHEALTHCHECK NONE')[0]).toEqual({ kind: 'HEALTHCHECK', line: 2, text: 'HEALTHCHECK NONE' });
  });

  it('joins continuations, skips comments inside them, and honours # escape=`', () => {
    const [run] = stage('FROM busybox\nRUN echo a \\\n# a comment\n\n    && echo b');
    expect(run).toMatchObject({ line: 2, command: { shell: 'echo a     && echo b' } });
    const file = parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox\nRUN echo a `\n  b\nCOPY a\\b c\\d');
    expect(file.syntax).toBe('docker/dockerfile:1');
    expect(file.escapeChar).toBe('`');
    expect(file.stages[0]?.instructions[0]).toMatchObject({ command: { shell: 'echo a   b' } });
    expect(file.stages[0]?.instructions[1]).toMatchObject({ sources: ['a\\b'], dest: 'c\\d' });
    // A directive after an instruction is a comment.
    expect(parseDockerfile('FROM busybox\n# escape=`\nRUN a \\\n b').escapeChar).toBe('\\');
  });

  it('reads heredocs of RUN and COPY, with <<- and quoted delimiters', () => {
    const [run, copy] = stage('FROM busybox\nRUN <<EOF\necho $A\nexit 0\nEOF\nCOPY <<-"CONF" /etc/app.conf\n\tkey=$v\n\tCONF\nRUN true');
    expect(run).toMatchObject({
      kind: 'RUN',
      command: { shell: '<<EOF' },
      heredocs: [{ name: 'EOF', content: 'echo $A\nexit 0\n', expand: true }],
    });
    expect(copy).toMatchObject({
      sources: ['<<-"CONF"'],
      dest: '/etc/app.conf',
      heredocs: [{ name: 'CONF', content: 'key=$v\n', expand: false }],
    });
    expect(stage('FROM b\nRUN <<EOF\nx\nEOF\nRUN true')).toHaveLength(2);
  });

  it('substitutes $VAR, ${VAR}, ${VAR:-x}, ${VAR:+x} with quotes and escapes', () => {
    const vars: Record<string, string> = { A: 'one', EMPTY: '' };
    const lookup = (n: string) => vars[n];
    expect(expandWord('$A-${A}', lookup)).toBe('one-one');
    expect(expandWord('${MISSING:-fallback} ${EMPTY:-e} ${EMPTY-e}', lookup)).toBe('fallback e ');
    expect(expandWord('${A:+set}|${MISSING:+set}|${EMPTY+set}', lookup)).toBe('set||set');
    expect(expandWord('\'$A\' "$A" \\$A ${MISSING:-${A}}', lookup)).toBe('$A one $A one');
    expect(expandWord('cost: $5', lookup)).toBe('cost: $5');
    expect(() => expandWord('${A', lookup)).toThrow(/missing "}"/);
    expect(() => expandWord('${A%x}', lookup)).toThrow(/unknown modifier/);
  });

  it('refuses malformed Dockerfiles with file, line and what was expected', () => {
    const cases: [string, number, RegExp][] = [
      ['FROM busybox\nFETCH x', 2, /unknown instruction "FETCH"/],
      ['RUN true', 1, /only ARG may come before the first FROM/],
      ['# only a comment\n', 2, /a FROM instruction/],
      ['FROM busybox\n\nCOPY onlyone', 3, /COPY <source>... <destination>/],
      ['FROM busybox AS a b', 1, /FROM <image> \[AS <name>\]/],
      ['FROM busybox\nRUN --bogus=1 true', 2, /unknown flag --bogus for RUN/],
      ['FROM busybox\nENV', 2, /ENV has no arguments/],
      ['FROM busybox\nENV a=1 b', 2, /"b" is not key=value/],
      ['FROM busybox\nSHELL /bin/sh -c', 2, /SHELL takes only the exec form/],
      ['FROM busybox\nHEALTHCHECK --interval=soon CMD true', 2, /bad duration "soon"/],
      ['FROM busybox\nONBUILD FROM x', 2, /ONBUILD FROM is not allowed/],
      ['FROM busybox\nRUN <<EOF\necho', 2, /a line "EOF" ending the heredoc/],
      ['FROM busybox\nCOPY --chmod=rwx a b', 2, /bad --chmod/],
      ['FROM busybox AS x\nFROM busybox AS X', 2, /stage "x" is named twice/],
      ['FROM busybox\nLABEL "a=1', 2, /a closing quote/],
    ];
    for (const [text, line, message] of cases) {
      const error = parseError(text);
      expect(error.code).toBe('DOCKERFILE_INVALID');
      expect(error.file).toBe('app/Dockerfile');
      expect(error.line, text).toBe(line);
      expect(error.message, text).toMatch(message);
      expect(error.message).toContain(`app/Dockerfile:${line}:`);
      expect(error.hint).toBeTruthy();
    }
  });
});
