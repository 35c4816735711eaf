import type { StartedGenericContainer } from '../started-container.js';

/** What a module's started type passes on to {@link StartedGenericContainer}. */
export type StartedArgs = ConstructorParameters<typeof StartedGenericContainer>;
