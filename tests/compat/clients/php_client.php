<?php
// phpredis's own API: what PHP apps and Laravel/Symfony cache stores call.
$r = new Redis();
$r->connect('127.0.0.1', (int)$argv[1], 5.0);
$out = [];
$out['ping'] = $r->ping();
$out['set'] = $r->set('php:k', 'v1', ['nx', 'ex' => 100]);
$out['set_again'] = $r->set('php:k', 'v2', ['nx', 'ex' => 100]);
$out['get'] = $r->get('php:k');
$out['ttl'] = $r->ttl('php:k');
$out['hset'] = $r->hMSet('php:h', ['a' => '1', 'b' => '2']);
$out['hgetall'] = $r->hGetAll('php:h');
$out['incr'] = $r->incrBy('php:n', 5);
$multi = $r->multi()->incr('php:n')->get('php:n')->exec();
$out['multi'] = $multi;
$pipe = $r->pipeline()->set('php:p', 'x')->get('php:p')->del('php:p')->exec();
$out['pipeline'] = $pipe;
$out['sadd'] = $r->sAdd('php:s', 'x', 'y', 'x');
$out['smembers'] = $r->sMembers('php:s'); sort($out['smembers']);
$out['exists'] = $r->exists('php:k', 'php:h', 'php:none');
$out['del'] = $r->del('php:k', 'php:h', 'php:n', 'php:s');
echo json_encode($out), "\n";
