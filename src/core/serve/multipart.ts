// A small reader for buffered multipart bodies (RFC 2046): multipart/related (DICOMweb STOW-RS
// style, one application/dicom part per slice) and multipart/form-data. No maintained multipart
// parser is a dependency of this project (busboy is not installed), and bodies are already
// bounded in size and held in memory, so the whole body is split at its boundary lines.

export interface MultipartPart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The part's name: form-data `name`/`filename`, Content-Location, or "part <n>". */
  name: string;
  body: Buffer;
}

export class MultipartError extends Error {
  override readonly name = "MultipartError";
}

/** The boundary parameter of a multipart Content-Type, or throws naming what is wrong. */
export function multipartBoundary(contentType: string): string {
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError(`Content-Type "${contentType}" has no boundary parameter`);
  if (boundary.length > 70) throw new MultipartError(`multipart boundary is ${boundary.length} characters long; RFC 2046 allows at most 70`);
  return boundary;
}

function parseHeaders(block: string, index: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MultipartError(`part ${index + 1}: malformed header line "${line.slice(0, 80)}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function partName(headers: Record<string, string>, index: number): string {
  const disposition = headers["content-disposition"] ?? "";
  const filename = /filename\s*=\s*"([^"]*)"/i.exec(disposition)?.[1];
  const name = /[^e]name\s*=\s*"([^"]*)"/i.exec(`;${disposition}`)?.[1];
  return filename || name || headers["content-location"] || headers["content-id"] || `part ${index + 1}`;
}

/**
 * Splits a multipart body into its parts. Preamble and epilogue are ignored; a body without the
 * closing boundary ("--boundary--") is truncated and rejected.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = multipartBoundary(contentType);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  // The first delimiter may start the body; every later one follows a CRLF.
  let at = body.indexOf(delimiter);
  if (at < 0 || (at > 0 && body.indexOf(Buffer.from(`\r\n--${boundary}`)) !== at - 2)) throw new MultipartError(`no "--${boundary}" delimiter line in the body`);
  const next = Buffer.from(`\r\n--${boundary}`);
  for (;;) {
    let cursor = at + delimiter.length;
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) break; // "--": the closing delimiter
    // transport padding, then CRLF
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++;
    if (body[cursor] !== 0x0d || body[cursor + 1] !== 0x0a) throw new MultipartError(`part ${parts.length + 1}: the delimiter line is not followed by CRLF`);
    cursor += 2;
    const end = body.indexOf(next, cursor);
    if (end < 0) throw new MultipartError(`part ${parts.length + 1}: the body ends before the closing "--${boundary}--" delimiter (truncated upload?)`);
    const headerEnd = body.indexOf("\r\n\r\n", cursor);
    const [headerBlock, content] =
      body.subarray(cursor, cursor + 2).toString("latin1") === "\r\n"
        ? ["", body.subarray(cursor + 2, end)] // no headers
        : headerEnd >= 0 && headerEnd < end
          ? [body.subarray(cursor, headerEnd).toString("latin1"), body.subarray(headerEnd + 4, end)]
          : (() => {
              throw new MultipartError(`part ${parts.length + 1}: no blank line between its headers and its content`);
            })();
    const headers = parseHeaders(headerBlock, parts.length);
    parts.push({ headers, name: partName(headers, parts.length), body: content });
    at = end + 2;
  }
  if (parts.length === 0) throw new MultipartError("the multipart body holds no parts");
  return parts;
}
