import type { CommonConditions } from './common-conditions';

/**
 * The small vocabularies of a policy set (action names, posture words, country lists, common
 * condition combinations), shared by its compiled policies. With 100,000 policies, a string or
 * array held by each policy is one more object to fetch from main memory per candidate; one
 * shared copy per distinct value stays in the CPU's caches. Actions get a bit each, so a
 * policy's actions are one number on the compiled policy and checking the request's action
 * against them reads no string at all.
 *
 * Entries are never removed (policies come and go; these values rarely do), so the tables are
 * capped: past the cap a value is simply not shared, which costs speed, never correctness.
 */

/** Action bits available; a policy naming an action without one keeps its list. */
const ACTION_BITS = 30;
const MAX_SHARED = 4096;

export class Vocabulary {
  private readonly actionBits = new Map<string, number>();
  private readonly words = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();
  private readonly combinations = new Map<string, CommonConditions>();

  /** The bit of an action, assigned on first sight while bits remain; 0 when it has none. */
  assignActionBit(action: string): number {
    const known = this.actionBits.get(action);
    if (known !== undefined) return known;
    if (this.actionBits.size >= ACTION_BITS) return 0;
    const bit = 1 << this.actionBits.size;
    this.actionBits.set(action, bit);
    return bit;
  }

  /** The bit of a request's action; 0 when no policy of the set named it. */
  actionBit(action: string): number {
    return this.actionBits.get(action) ?? 0;
  }

  /** The shared copy of a word. */
  word(text: string): string {
    const known = this.words.get(text);
    if (known !== undefined) return known;
    if (this.words.size < MAX_SHARED) this.words.set(text, text);
    return text;
  }

  /** The shared copy of a list of words (same words, same order). */
  list(items: readonly string[]): readonly string[] {
    const key = JSON.stringify(items);
    const known = this.lists.get(key);
    if (known !== undefined) return known;
    const shared = Object.freeze(items.map((item) => this.word(item)));
    if (this.lists.size < MAX_SHARED) this.lists.set(key, shared);
    return shared;
  }

  /** The shared copy of a combination of common conditions. */
  commonConditions(conditions: CommonConditions): CommonConditions {
    const key = JSON.stringify(conditions);
    const known = this.combinations.get(key);
    if (known !== undefined) return known;
    const shared = Object.freeze(conditions);
    if (this.combinations.size < MAX_SHARED) this.combinations.set(key, shared);
    return shared;
  }
}
