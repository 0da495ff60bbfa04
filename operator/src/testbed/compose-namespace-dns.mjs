// Docker's embedded DNS server stands at 127.0.0.11 on every Compose network, and configurations
// written for Compose name it (nginx `resolver 127.0.0.11`). This one answers A queries for the
// namespace's service names and aliases, NODATA for their other types, NXDOMAIN for the rest:
// nothing is forwarded, since nothing may leave the namespace.
import { createSocket } from 'node:dgram';

export const DNS_ADDRESS = '127.0.0.11';

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;

/** The question's name, type and end offset; undefined when the packet is malformed. */
function parseQuestion(packet) {
  if (packet.readUInt16BE(4) !== 1) return undefined;
  const labels = [];
  let offset = 12;
  while (offset < packet.length) {
    const length = packet[offset];
    offset += 1;
    if (length === 0) break;
    // Compression pointers never appear in a question.
    if (length > 63 || offset + length > packet.length) return undefined;
    labels.push(packet.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > packet.length) return undefined;
  return {
    name: labels.join('.').toLowerCase(),
    type: packet.readUInt16BE(offset),
    class: packet.readUInt16BE(offset + 2),
    end: offset + 4,
  };
}

function answer(query, question, rcode, address) {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, the query's opcode and RD, AA and RA set.
  header.writeUInt16BE(0x8480 | (query.readUInt16BE(2) & 0x7900) | rcode, 2);
  header.writeUInt16BE(question ? 1 : 0, 4);
  header.writeUInt16BE(address ? 1 : 0, 6);
  const parts = [header];
  if (question) parts.push(query.subarray(12, question.end));
  if (address) {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(CLASS_IN, 4);
    record.writeUInt32BE(600, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((byte, index) => record.writeUInt8(Number(byte), 12 + index));
    parts.push(record);
  }
  return Buffer.concat(parts);
}

/** Starts the server; `names` maps lower-case names to IPv4 addresses. Resolves when bound. */
export function startDns(names) {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (query.length < 12) return;
    const question = parseQuestion(query);
    let reply;
    if (!question) reply = answer(query, undefined, RCODE_FORMERR);
    else {
      const address = names.get(question.name.replace(/\.$/, ''));
      const wanted = question.type === TYPE_A && question.class === CLASS_IN;
      reply = answer(query, question, address ? 0 : RCODE_NXDOMAIN, wanted ? address : undefined);
    }
    socket.send(reply, peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, DNS_ADDRESS, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}
