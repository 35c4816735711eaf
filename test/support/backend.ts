/**
 * Which backend the SDK tests run on: the `sdk-docker` vitest project sets
 * `BERTH_ENGINE=docker`, so `getEngine()` is a DockerEngine. A test that
 * cannot apply there says why in its title: `it.skipIf(onDocker)('… (local engine only: reason)')`.
 */
export const onDocker = process.env.BERTH_ENGINE === 'docker';
