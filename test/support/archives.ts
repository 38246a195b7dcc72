import { crc32, gzipSync } from "node:zlib";

/**
 * Minimal archive writers for hand-made distributions in tests: a zip (stored entries) and
 * a ustar tar.gz. Enough for the PyPI stand-in's and twine's readers; nothing else.
 */

/** A zip of `entries` (name → content), uncompressed. */
export function zipFile(entries: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A gzipped ustar archive of `entries` (name → content; a name ending in `/` is a folder). */
export function tarGz(entries: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(entries)) {
    const folder = name.endsWith("/");
    const data = folder ? Buffer.alloc(0) : Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, "utf8");
    header.write(folder ? "0000755\0" : "0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
    header.write("00000000000\0", 136);
    header.write(folder ? "5" : "0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    header.fill(" ", 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A wheel whose .dist-info holds METADATA, WHEEL and RECORD (or `omit` some). */
export function wheelBytes(filename: string, metadataVersion = "2.4", omit: string[] = []): Buffer {
  const [name, version] = filename.split("-");
  const distInfo = `${name}-${version}.dist-info`;
  const files: Record<string, string> = {
    [`${name.toLowerCase()}/__init__.py`]: "",
    [`${distInfo}/METADATA`]: `Metadata-Version: ${metadataVersion}\nName: ${name}\nVersion: ${version}\n`,
    [`${distInfo}/WHEEL`]: "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    [`${distInfo}/RECORD`]: "",
  };
  for (const file of omit) delete files[`${distInfo}/${file}`];
  return zipFile(files);
}

/** An sdist with one top-level folder holding PKG-INFO (unless `withPkgInfo` is false). */
export function sdistBytes(top: string, metadataVersion = "2.4", withPkgInfo = true): Buffer {
  return tarGz({
    [`${top}/`]: "",
    ...(withPkgInfo ? { [`${top}/PKG-INFO`]: `Metadata-Version: ${metadataVersion}\nName: x\nVersion: 1\n` } : {}),
    [`${top}/pyproject.toml`]: "[project]\n",
  });
}
