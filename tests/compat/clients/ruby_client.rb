# redis-rb 4.8 (Debian's ruby-redis): the client under redis-rack / redis-actionpack sessions.
require 'redis'
require 'json'
r = Redis.new(host: '127.0.0.1', port: ARGV[0].to_i)
out = {}
out['ping'] = r.ping
out['setex'] = r.setex('rack:session:abc', 1800, Marshal.dump({ 'user' => 9 }).unpack1('H*'))
out['get'] = Marshal.load([r.get('rack:session:abc')].pack('H*'))
out['ttl'] = r.ttl('rack:session:abc')
# redis-actionpack writes sessions inside MULTI/EXEC.
out['multi'] = r.multi do |m|
  m.set('rack:session:def', 'x', nx: true, ex: 60)
  m.get('rack:session:def')
end
out['pipelined'] = r.pipelined do |p|
  p.incr('ruby:n')
  p.expire('ruby:n', 100)
  p.ttl('ruby:n')
end
out['scan'] = r.scan_each(match: 'rack:session:*').to_a.sort
out['del'] = r.del('rack:session:abc', 'rack:session:def', 'ruby:n')
out['exists'] = r.exists?('rack:session:abc')
puts JSON.generate(out)
