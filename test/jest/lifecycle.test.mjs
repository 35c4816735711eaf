/**
 * Run by test/jest-example.test.ts under jest (not vitest): checks, from inside
 * the jest run, that `berth/jest` removes each test's containers when the test
 * ends, and beforeAll's when its block ends. BUSYBOX_IMAGE names the image.
 */
import { ContainerNotFoundError, GenericContainer, getEngine } from 'berth';
import { useBerth } from 'berth/jest';

const sleeper = () => new GenericContainer(process.env.BUSYBOX_IMAGE).withCommand(['sleep', '600']);
const running = async (id) => (await getEngine().inspectContainer(id)).State.Running;
const expectGone = (id) => expect(getEngine().inspectContainer(id)).rejects.toBeInstanceOf(ContainerNotFoundError);

let blockContainer = '';
let testContainer = '';

describe('useBerth', () => {
  const berth = useBerth();

  beforeAll(async () => {
    blockContainer = (await berth.start(sleeper())).getId();
  });

  test('a test starts a container', async () => {
    testContainer = (await berth.start(sleeper())).getId();
    expect(await running(testContainer)).toBe(true);
  });

  test("...which is gone after it passed, while beforeAll's still runs", async () => {
    expect(testContainer).not.toBe('');
    await expectGone(testContainer);
    expect(await running(blockContainer)).toBe(true);
    testContainer = '';
  });

  test.failing('a failing test starts a container', async () => {
    testContainer = (await berth.start(sleeper())).getId();
    throw new Error('the test fails on purpose');
  });

  test('...which is gone after it failed', async () => {
    expect(testContainer).not.toBe('');
    await expectGone(testContainer);
  });
});

test("beforeAll's container is gone once its block ended", async () => {
  expect(blockContainer).not.toBe('');
  await expectGone(blockContainer);
});
