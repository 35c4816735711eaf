import { describe, expect, it } from 'vitest';
import { InvalidSpecError, JestHooksUnavailableError, NginxContainer } from '../../src/index.js';
import { useBerth } from '../../src/sdk/jest.js';

describe('SDK calls refuse bad input at once', () => {
  it('NginxContainer refuses content outside the web root and directories that do not exist', () => {
    const nginx = new NginxContainer('127.0.0.1:5000/library/nginx:latest');
    expect(() => nginx.withStaticContent({ '../etc/passwd': 'x' })).toThrow(InvalidSpecError);
    expect(() => nginx.withStaticContent('/nonexistent/berth-site')).toThrow(InvalidSpecError);
    expect(() => nginx.withWebRoot('relative/root')).toThrow(InvalidSpecError);
  });

  it('useBerth() outside jest throws a typed error naming the missing hooks', () => {
    expect(() => useBerth()).toThrow(JestHooksUnavailableError);
    const error = (() => {
      try {
        useBerth({ afterAll: () => {} });
      } catch (e) {
        return e as JestHooksUnavailableError;
      }
    })();
    expect(error?.code).toBe('JEST_HOOKS_UNAVAILABLE');
    expect(error?.missing).toEqual(['beforeEach', 'afterEach']);
  });
});
