/** The last `max` characters of a stream, kept as it is read (a dead worker's stderr explains its death). */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 8192) {}
  push(chunk: string | Buffer): void {
    this.text += chunk.toString();
    if (this.text.length > 2 * this.max) this.text = this.text.slice(-this.max);
  }
  get value(): string {
    return this.text.length > this.max ? this.text.slice(-this.max) : this.text;
  }
}
