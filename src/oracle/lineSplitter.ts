/**
 * Splits a stream of text chunks into lines in time linear in the text: each chunk is searched
 * once for line breaks, and an unfinished line is kept as a list of pieces, joined only when its
 * line break arrives. (Appending to one buffer and searching it again for every chunk is
 * quadratic: a 160 MB answer line arriving in 64 KiB chunks would be searched 2,500 times.)
 */
export class LineSplitter {
  readonly #maxLineChars: number;
  #pieces: string[] = [];
  #pendingChars = 0;

  /** @param maxLineChars - longest line accepted; {@link push} reports a longer one. */
  constructor(maxLineChars: number) {
    this.#maxLineChars = maxLineChars;
  }

  /** Characters of the unfinished line received so far. */
  get pendingChars(): number {
    return this.#pendingChars;
  }

  /**
   * Take the next chunk; returns the lines it completes (without their `\n`), or `'too-long'`
   * as soon as the unfinished line exceeds `maxLineChars` (its text is dropped then).
   */
  push(chunk: string): string[] | 'too-long' {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const tail = chunk.slice(start, nl);
      if (this.#pendingChars + tail.length > this.#maxLineChars) return this.#overflow();
      this.#pieces.push(tail);
      lines.push(this.#pieces.join(''));
      this.#pieces = [];
      this.#pendingChars = 0;
      start = nl + 1;
    }
    const rest = chunk.slice(start);
    if (this.#pendingChars + rest.length > this.#maxLineChars) return this.#overflow();
    if (rest !== '') this.#pieces.push(rest);
    this.#pendingChars += rest.length;
    return lines;
  }

  #overflow(): 'too-long' {
    this.#pieces = [];
    this.#pendingChars = 0;
    return 'too-long';
  }
}
