// node-redis 4 (Debian's node-redis, the client under connect-redis 7): RESP2, promises.
const { createClient } = require('redis');
(async () => {
  const port = Number(process.argv[2]);
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', (e) => { console.error(e); process.exit(1); });
  await client.connect();
  const out = {};
  out.ping = await client.ping();
  // connect-redis: SET sess:<id> <json> EX <ttl>, GET, EXPIRE (touch), DEL, SCAN for all().
  out.set = await client.set('sess:node1', JSON.stringify({ user: 7 }), { EX: 1800 });
  out.get = JSON.parse(await client.get('sess:node1'));
  out.touch = await client.expire('sess:node1', 900);
  out.ttl = await client.ttl('sess:node1');
  out.hset = await client.hSet('node:h', { a: '1', b: '2' });
  out.hgetall = await client.hGetAll('node:h');
  out.multi = await client.multi().incr('node:n').incrBy('node:n', 10).exec();
  const keys = [];
  for await (const key of client.scanIterator({ MATCH: 'sess:node*', COUNT: 100 })) keys.push(key);
  out.scan = keys;
  const sub = client.duplicate();
  await sub.connect();
  const got = new Promise((resolve) => sub.subscribe('node:ch', (message) => resolve(message)));
  await new Promise((r) => setTimeout(r, 50));
  out.receivers = await client.publish('node:ch', 'hello');
  out.message = await got;
  await sub.quit();
  out.del = await client.del(['sess:node1', 'node:h', 'node:n']);
  await client.quit();
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
