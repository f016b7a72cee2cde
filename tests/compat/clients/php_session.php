<?php
// PHP's native session handler from phpredis (session.save_handler = redis), as a PHP app uses it.
// Usage: php php_session.php PORT SESSION_ID write|read|destroy
[$script, $port, $id, $mode] = $argv;
ini_set('session.save_handler', 'redis');
ini_set('session.save_path', "tcp://127.0.0.1:$port?timeout=5");
ini_set('session.gc_maxlifetime', '1440');
ini_set('session.use_cookies', '0');
ini_set('session.use_strict_mode', '0');
ini_set('session.serialize_handler', 'php_serialize');
session_id($id);
if (!session_start()) { fwrite(STDERR, "session_start failed\n"); exit(1); }
if ($mode === 'write') {
    $_SESSION['user'] = 42;
    $_SESSION['cart'] = ['apple', "b\xc3\xa9"];
} elseif ($mode === 'destroy') {
    session_destroy();
    echo json_encode(['destroyed' => true]), "\n";
    exit(0);
}
echo json_encode($_SESSION), "\n";
session_write_close();
