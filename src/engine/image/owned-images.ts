import { debug } from '../../debug.js';
import { atProcessEnd } from '../state/process-end.js';
import { isAlive } from '../state/process-identity.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { dropImage } from './store-prune.js';

/** A container as far as image removal cares: the image it was made from and the layers it stacks. */
export interface ImageUser {
  imageId: string;
  chainIds: string[];
}

/** Where owned images are dropped from: the store, its users, and how to hold the store alone. */
export interface OwnedImageContext {
  store: ImageStore;
  users: () => ImageUser[];
  /** Runs `fn` under the store's exclusive lock if it is free within `waitMs`; returns whether it ran. */
  tryExclusive: (fn: () => void, waitMs: number) => boolean;
}

/**
 * Removes an owned image (record, and the layers and blobs only it had)
 * unless a container still uses it or the store is busy; synchronous, so it
 * can run as the process ends. Returns whether the image went.
 */
export function dropOwnedImage(context: OwnedImageContext, record: ImageRecord, waitMs = 0): boolean {
  let dropped = false;
  const ran = context.tryExclusive(() => {
    const users = context.users();
    if (users.some((u) => u.imageId === record.id)) return;
    if (!context.store.get(record.id)) return; // Removed meanwhile.
    dropImage(
      context.store,
      record,
      users.flatMap((u) => u.chainIds),
    );
    dropped = true;
  }, waitMs);
  if (!ran) debug('owned image %s left for the next sweep: the store is busy', record.id);
  return dropped;
}

/**
 * Removes the images whose owner process is gone (it was killed, or a
 * container used the image when it ended). Runs when an engine starts; an
 * image a container still uses stays for a later sweep.
 */
export function sweepOwnedImages(context: OwnedImageContext): string[] {
  const swept: string[] = [];
  for (const record of context.store.list()) {
    if (!record.owner || isAlive(record.owner)) continue;
    try {
      if (dropOwnedImage(context, record)) swept.push(record.id);
    } catch (error) {
      debug('sweep: could not remove image %s: %s', record.id, (error as Error).message);
    }
  }
  return swept;
}

/** How long the end of a process waits for a pull or create elsewhere to let go of the store. */
const END_WAIT_MS = 1000;

const ownedHere = new Map<string, OwnedImageContext>();

/** Drops image `id` when this process ends (by then, what still uses it leaves it to the next sweep). */
export function dropAtProcessEnd(context: OwnedImageContext, id: string): void {
  ownedHere.set(id, context);
  atProcessEnd('drop-owned-images', () => {
    for (const [imageId, ctx] of ownedHere) {
      const record = ctx.store.get(imageId);
      try {
        if (record?.owner) dropOwnedImage(ctx, record, END_WAIT_MS);
      } catch {
        // The next engine's sweep takes it.
      }
    }
  });
}
