/*
 * A streaming XML tokenizer for the parts of a returned sheet, which come from outside. Every step is an indexOf
 * or a character loop that moves forward: no regex, and no rescan of text already passed (the only text carried
 * from one chunk to the next is one unfinished tag or a cut entity, both capped). It reports start tags with their
 * attributes, end tags and decoded text by local name (namespace prefixes dropped), and refuses what no
 * spreadsheet program writes: a DOCTYPE (entity definitions), nesting deeper than 64, a 64 KB tag or text node.
 */

export interface XmlLimits {
  readonly maxDepth: number;
  /** One tag, comment, processing instruction or CDATA section, in characters. */
  readonly maxMarkupLength: number;
  /** One text node between two tags, in characters. */
  readonly maxTextLength: number;
}

export const XML_LIMITS: XmlLimits = { maxDepth: 64, maxMarkupLength: 64 * 1024, maxTextLength: 64 * 1024 };

const NOT_NORMAL = 'it is not a normal .xlsx file';
const SAVE_AGAIN = 'so it cannot be read; open it in Excel, save it as "Excel Workbook (.xlsx)" and send it again';

/** A part of the file that breaks a rule of shape; rule and message are as a refusal names them. */
export class XmlLimitError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'XmlLimitError';
  }
}

export interface XmlHandler {
  open?(name: string, attributes: TagAttributes, selfClosing: boolean): void;
  close?(name: string): void;
  /** Decoded text; `hadEntity` when the raw text held an entity or character reference. */
  text?(text: string, hadEntity: boolean): void;
}

/** The longest entity decodeXml knows, "&#x10FFFF;", is 10 characters: a cut one is kept for the next chunk. */
const MAX_ENTITY_LENGTH = 12;

export class XmlScanner {
  private pending = '';
  private depth = 0;
  private textLength = 0;
  private readonly tag = new CurrentTag();

  constructor(
    private readonly handler: XmlHandler,
    private readonly limits: XmlLimits = XML_LIMITS,
  ) {}

  write(chunk: string): void {
    const input = flat(this.pending === '' ? chunk : this.pending + chunk);
    this.pending = '';
    let at = 0;
    while (at < input.length) {
      const lt = input.indexOf('<', at);
      if (lt < 0) {
        const amp = cutEntityStart(input, at);
        const cut = amp >= 0;
        this.emitText(input.slice(at, cut ? amp : input.length));
        if (cut) this.pending = input.slice(amp);
        return;
      }
      if (lt > at) this.emitText(input.slice(at, lt));
      this.textLength = 0;
      const end = this.markupEnd(input, lt);
      if (end < 0) {
        if (input.length - lt > this.limits.maxMarkupLength) throw this.tooLong();
        this.pending = input.slice(lt);
        return;
      }
      if (end - lt > this.limits.maxMarkupLength) throw this.tooLong();
      this.markup(input, lt, end);
      at = end;
    }
  }

  private tooLong(): XmlLimitError {
    return new XmlLimitError(
      'xml-tag-too-long',
      `${NOT_NORMAL} (it has a tag longer than ${this.limits.maxMarkupLength} characters), ${SAVE_AGAIN}`,
    );
  }

  private emitText(raw: string): void {
    if (raw === '') return;
    this.textLength += raw.length;
    if (this.textLength > this.limits.maxTextLength) {
      throw new XmlLimitError(
        'xml-text-too-long',
        `${NOT_NORMAL} (it has a run of text longer than ${this.limits.maxTextLength} characters), ${SAVE_AGAIN}`,
      );
    }
    const hadEntity = raw.includes('&');
    this.handler.text?.(hadEntity ? decodeXml(raw) : raw, hadEntity);
  }

  /** Where the markup starting at lt ends (just past its '>'), or -1 when this chunk does not hold its end. */
  private markupEnd(input: string, lt: number): number {
    if (input.startsWith('<!--', lt)) return endAfter(input, '-->', lt + 4);
    if (input.startsWith('<![CDATA[', lt)) return endAfter(input, ']]>', lt + 9);
    if (input.startsWith('<?', lt)) return endAfter(input, '?>', lt + 2);
    if (input.startsWith('<!', lt)) {
      if (input.length - lt < 9) return -1; // too little to tell a CDATA section from a DOCTYPE yet
      throw new XmlLimitError(
        'xml-doctype',
        `${NOT_NORMAL} (it declares its own XML entities, which no spreadsheet program writes), ${SAVE_AGAIN}`,
      );
    }
    // A tag: '>' may appear inside a quoted attribute value. Native indexOf, always forward: each quoted value is
    // jumped over whole, so the tag is passed once.
    let at = lt + 1;
    for (;;) {
      const gt = input.indexOf('>', at);
      if (gt < 0) return -1;
      const quote = this.nextQuote(input, at);
      if (quote < 0 || quote > gt) return gt + 1;
      const close = input.indexOf(input[quote]!, quote + 1);
      if (close < 0) return -1;
      at = close + 1;
    }
  }

  // The next '"' and "'" at or after a position of the current input, each found once and reused until passed: a
  // text with no apostrophe is searched for one once, not once per tag.
  private quoteInput = '';
  private nextDouble = -1;
  private nextSingle = -1;

  private nextQuote(input: string, from: number): number {
    if (input !== this.quoteInput) {
      this.quoteInput = input;
      this.nextDouble = input.indexOf('"', from);
      this.nextSingle = input.indexOf("'", from);
    }
    if (this.nextDouble >= 0 && this.nextDouble < from) this.nextDouble = input.indexOf('"', from);
    if (this.nextSingle >= 0 && this.nextSingle < from) this.nextSingle = input.indexOf("'", from);
    if (this.nextDouble < 0) return this.nextSingle;
    return this.nextSingle < 0 ? this.nextDouble : Math.min(this.nextDouble, this.nextSingle);
  }

  private markup(input: string, lt: number, end: number): void {
    if (input.startsWith('<![CDATA[', lt)) {
      const text = input.slice(lt + 9, end - 3);
      this.textLength = text.length;
      if (text !== '') this.handler.text?.(text, false);
      return;
    }
    if (input[lt + 1] === '!' || input[lt + 1] === '?') return;
    if (input[lt + 1] === '/') {
      this.depth = Math.max(0, this.depth - 1);
      this.handler.close?.(localName(input.slice(lt + 2, end - 1).trim()));
      return;
    }
    const selfClosing = input[end - 2] === '/';
    const tagEnd = selfClosing ? end - 2 : end - 1;
    let i = lt + 1;
    while (i < tagEnd && !isSpace(input.charCodeAt(i))) i++;
    const name = localName(input.slice(lt + 1, i));
    const attributes = this.tag;
    attributes.input = input;
    attributes.from = i;
    attributes.to = tagEnd;
    if (!selfClosing) {
      this.depth++;
      if (this.depth > this.limits.maxDepth) {
        throw new XmlLimitError(
          'xml-too-deep',
          `${NOT_NORMAL} (its XML nests more than ${this.limits.maxDepth} levels deep), ${SAVE_AGAIN}`,
        );
      }
    }
    this.handler.open?.(name, attributes, selfClosing);
  }
}

/** Where an entity cut by the chunk's end starts: an '&' among the last few characters with no ';' after it. */
function cutEntityStart(input: string, from: number): number {
  for (let i = input.length - 1; i >= Math.max(from, input.length - MAX_ENTITY_LENGTH); i--) {
    if (input[i] === ';') return -1;
    if (input[i] === '&') return i;
  }
  return -1;
}

/**
 * V8 keeps `a + b` as a rope, and a slice of a rope can copy the whole of it: once per tag, that was 20 GB of
 * garbage for a 20 MB sheet. Converting the text to a number flattens it in place, once.
 */
function flat(text: string): string {
  void Number(text);
  return text;
}

function endAfter(input: string, terminator: string, from: number): number {
  const at = input.indexOf(terminator, from);
  return at < 0 ? -1 : at + terminator.length;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** 'x:sheet' → 'sheet': some writers prefix every element and attribute. */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The current tag's attributes, for the handler's open() only: one object per scanner, reused for every tag. */
export interface TagAttributes {
  /** The value of the attribute of this local name (prefix ignored), decoded; scanned for, nothing kept. */
  get(name: string): string | undefined;
  /** All of them, copied. */
  all(): Map<string, string>;
}

class CurrentTag implements TagAttributes {
  input = '';
  from = 0;
  to = 0;

  get(wanted: string): string | undefined {
    // Called for every cell of a sheet: the visitor is a method, not a closure made per call.
    this.wanted = wanted;
    this.found = undefined;
    forEachAttribute(this.input, this.from, this.to, this.match);
    return this.found;
  }

  private wanted = '';
  private found: string | undefined;
  private readonly match = (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): boolean => {
    const input = this.input;
    const wanted = this.wanted;
    // The local name ends at nameEnd; it matches when it is `wanted` preceded by the name's start or a prefix's ':'.
    const localStart = nameEnd - wanted.length;
    if (localStart < nameStart || !input.startsWith(wanted, localStart)) return false;
    if (localStart > nameStart && input.charCodeAt(localStart - 1) !== 0x3a) return false;
    this.found = decodeXml(input.slice(valueStart, valueEnd));
    return true;
  };

  all(): Map<string, string> {
    const attributes = new Map<string, string>();
    forEachAttribute(this.input, this.from, this.to, (nameStart, nameEnd, valueStart, valueEnd) => {
      attributes.set(
        localName(this.input.slice(nameStart, nameEnd)),
        decodeXml(this.input.slice(valueStart, valueEnd)),
      );
      return false;
    });
    return attributes;
  }
}

/**
 * name="value" or name='value' pairs of a tag, in one forward pass, as positions (nothing is copied); an attribute
 * without a value is skipped. Stops when visit returns true.
 */
function forEachAttribute(
  input: string,
  from: number,
  to: number,
  visit: (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => boolean,
): void {
  let i = from;
  while (i < to) {
    while (i < to && isSpace(input.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < to && !isSpace(input.charCodeAt(i)) && input.charCodeAt(i) !== 0x3d) i++;
    const nameEnd = i;
    while (i < to && isSpace(input.charCodeAt(i))) i++;
    if (input.charCodeAt(i) !== 0x3d || i >= to) {
      if (i === nameStart) i++;
      continue;
    }
    i++;
    while (i < to && isSpace(input.charCodeAt(i))) i++;
    const quote = input.charCodeAt(i);
    if (quote !== 0x22 && quote !== 0x27) continue;
    const valueEnd = input.indexOf(quote === 0x22 ? '"' : "'", i + 1);
    if (valueEnd < 0 || valueEnd > to) return;
    if (nameEnd > nameStart && visit(nameStart, nameEnd, i + 1, valueEnd)) return;
    i = valueEnd + 1;
  }
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text with XML's five entities and numeric character references decoded; anything else is left as written. */
export function decodeXml(text: string): string {
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  let out = '';
  let at = 0;
  while (amp >= 0) {
    // The ';' is looked for only within an entity's length, so a text of '&' without ';' stays linear.
    let semi = -1;
    for (let i = amp + 1; i < text.length && i <= amp + MAX_ENTITY_LENGTH; i++) {
      if (text[i] === ';') {
        semi = i;
        break;
      }
    }
    const decoded = semi < 0 ? undefined : entityValue(text.slice(amp + 1, semi));
    if (decoded !== undefined) {
      out += text.slice(at, amp) + decoded;
      at = semi + 1;
    }
    amp = text.indexOf('&', decoded !== undefined ? at : amp + 1);
  }
  return out + text.slice(at);
}

function entityValue(name: string): string | undefined {
  const named = NAMED_ENTITIES[name.toLowerCase()];
  if (named !== undefined) return named;
  if (name[0] !== '#' || name.length < 2) return undefined;
  const hex = name[1] === 'x' || name[1] === 'X';
  const digits = hex ? name.slice(2) : name.slice(1);
  const allowed = hex ? '0123456789abcdefABCDEF' : '0123456789';
  if (digits === '' || [...digits].some((ch) => !allowed.includes(ch))) return undefined;
  const code = parseInt(digits, hex ? 16 : 10);
  return code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

export interface XmlElement {
  readonly attributes: ReadonlyMap<string, string>;
  readonly text: string;
}

/**
 * Elements of a small part by local name, with their attributes and the text inside them: [Content_Types].xml,
 * workbook.xml and its relationships, each read whole under a cap its caller sets.
 */
export function xmlElements(xml: string, localName: string): XmlElement[] {
  const found: { attributes: ReadonlyMap<string, string>; text: string[] }[] = [];
  let open: { attributes: ReadonlyMap<string, string>; text: string[] } | undefined;
  let depthInside = 0;
  const scanner = new XmlScanner({
    open(name, attributes, selfClosing) {
      if (open) {
        if (!selfClosing) depthInside++;
        return;
      }
      if (name !== localName) return;
      const element = { attributes: attributes.all(), text: [] };
      found.push(element);
      if (!selfClosing) open = element;
    },
    close() {
      if (open && depthInside-- === 0) {
        open = undefined;
        depthInside = 0;
      }
    },
    text(text) {
      open?.text.push(text);
    },
  });
  scanner.write(xml);
  return found.map((element) => ({ attributes: element.attributes, text: element.text.join('') }));
}
