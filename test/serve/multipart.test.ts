// The multipart reader on bodies built here byte by byte (RFC 2046 details the HTTP tests do not reach).
import { describe, expect, it } from "vitest";
import { MultipartError, multipartBoundary, parseMultipart } from "../../src/core/serve/multipart";

describe("parseMultipart", () => {
  it("reads a quoted boundary, transport padding, a part without headers and binary content with CRLFs inside", () => {
    const binary = Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0xff, 0x0d, 0x0a]);
    const body = Buffer.concat([
      Buffer.from("--a b'c  \r\n\r\n"),
      Buffer.from("plain"),
      Buffer.from("\r\n--a b'c\r\nContent-Type: application/dicom\r\nContent-Disposition: form-data; name=\"slice\"; filename=\"x.dcm\"\r\n\r\n"),
      binary,
      Buffer.from("\r\n--a b'c--\r\nepilogue"),
    ]);
    const parts = parseMultipart(body, 'multipart/related; type="application/dicom"; boundary="a b\'c"');
    expect(parts.map((p) => p.name)).toEqual(["part 1", "x.dcm"]);
    expect(parts[0].headers).toEqual({});
    expect(parts[0].body.toString()).toBe("plain");
    expect(parts[1].headers["content-type"]).toBe("application/dicom");
    expect([...parts[1].body]).toEqual([...binary]);
  });

  it("refuses what is not a whole multipart body, naming the problem", () => {
    expect(() => multipartBoundary("multipart/related")).toThrow(/has no boundary parameter/);
    expect(() => multipartBoundary(`multipart/related; boundary=${"x".repeat(71)}`)).toThrow(/at most 70/);
    expect(() => parseMultipart(Buffer.from("no delimiter here"), "multipart/related; boundary=b")).toThrow(/no "--b" delimiter line/);
    expect(() => parseMultipart(Buffer.from("--b\r\nContent-Type: application/dicom\r\n\r\nabc"), "multipart/related; boundary=b")).toThrow(/before the closing "--b--" delimiter/);
    expect(() => parseMultipart(Buffer.from("--b\r\nbroken header\r\n\r\nabc\r\n--b--"), "multipart/related; boundary=b")).toThrow(MultipartError);
    expect(() => parseMultipart(Buffer.from("--b--\r\n"), "multipart/related; boundary=b")).toThrow(/holds no parts/);
  });
});
