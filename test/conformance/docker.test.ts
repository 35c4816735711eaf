/** The conformance suite on DockerEngine, against the system dockerd (started by bench/start-dockerd.sh if none answers). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { DockerEngine } from '../../src/index.js';
import { describeEngine } from './describe-engine.js';

const installed = fs.existsSync('/usr/sbin/dockerd') || fs.existsSync('/usr/bin/dockerd');

describeEngine(
  'DockerEngine',
  async () => {
    execFileSync('bash', ['bench/start-dockerd.sh'], { stdio: 'inherit' });
    const engine = new DockerEngine();
    return { engine, close: () => engine.close() };
  },
  installed ? {} : { unavailable: 'dockerd is not installed (bash scripts/setup.sh --bench)' },
);
