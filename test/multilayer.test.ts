import { describe, expect, inject, it } from 'vitest';
import { GenericContainer, getEngine } from '../src/index.js';

/** Runs a bash script in the multi-layer Debian fixture and returns its output. */
async function inDebian(script: string): Promise<{ exitCode: number; output: string }> {
  await using container = await new GenericContainer(inject('fixtures').debian).withCommand(['bash', '-c', script]).start();
  const { exitCode } = await container.wait();
  return { exitCode, output: await container.output() };
}

describe('a multi-layer image', () => {
  it('is pulled with every layer verified and recorded', async () => {
    const image = await getEngine().pullImage(inject('fixtures').debian);
    expect(image.Config.rootfs.diff_ids).toHaveLength(3);
    expect(image.RepoTags).toContain(inject('fixtures').debian);
  });

  it('stacks its layers: files from each, whiteouts hide, opaque directories hide what is below', async () => {
    const { exitCode, output } = await inDebian(
      [
        'cat /etc/berth-fixture /etc/berth-layer3',
        'test -e /usr/share/doc/debianutils && echo WHITEOUT-IGNORED',
        'ls -A /etc/skel',
        'test -x /usr/bin/apt-get && echo layer1-ok',
      ].join('; '),
    );
    expect(exitCode).toBe(0);
    expect(output).toBe('layer2\nlayer3\nberth-opaque\nlayer1-ok\n');
  });

  it('keeps hardlinks, symlinks, setuid bits and owners', async () => {
    const { output } = await inDebian(
      'cd /opt/berth; stat -c "%i" hardlink-a hardlink-b | uniq | wc -l; readlink symlink; stat -c "%a %u:%g" setuid owned-by-1000',
    );
    expect(output).toBe('1\n/etc/berth-fixture\n4755 0:0\n644 1000:1000\n');
  });

  it('gives each container its own writable layer', async () => {
    const first = await inDebian('echo changed > /etc/berth-fixture; rm /etc/berth-layer3; cat /etc/berth-fixture');
    expect(first.output).toBe('changed\n');
    const second = await inDebian('cat /etc/berth-fixture /etc/berth-layer3');
    expect(second.output).toBe('layer2\nlayer3\n');
  });
});
