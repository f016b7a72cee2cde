// GENERATED from redis-server 7.0.15's `COMMAND` and `COMMAND DOCS` replies (plus CLIENT SETINFO from 7.2):
// the per-command facts Redis reports that the declarative table does not carry (complexity, tips,
// key specifications, deprecation). Parsed once, on the first COMMAND INFO / DOCS / GETKEYS.
//
// One line per command or subcommand (full name):
//   name^complexity^tips^doc_flags^deprecated_since^replaced_by^keyspec^keyspec...
// tips and flags are comma-separated; a keyspec is flags&begin_search&find_keys&notes where
// begin_search is iN (index N), kWORD,N (keyword WORD, startfrom N) or u (unknown), and find_keys is
// rLAST,STEP,LIMIT (range), nIDX,FIRST,STEP (keynum) or u (unknown).

enum CommandMetadataSource {
    static let text: StaticString = """
        acl^Depends on subcommand.^^^^
        acl|cat^O(1) since the categories and commands are a fixed set.^^^^
        acl|deluser^O(1) amortized time considering the typical user.^^^^
        acl|dryrun^O(1).^^^^
        acl|genpass^O(1)^^^^
        acl|getuser^O(N). Where N is the number of password, command and pattern rules that the user has.^^^^
        acl|help^O(1)^^^^
        acl|list^O(N). Where N is the number of configured users.^^^^
        acl|load^O(N). Where N is the number of configured users.^^^^
        acl|log^O(N) with N being the number of entries shown.^^^^
        acl|save^O(N). Where N is the number of configured users.^^^^
        acl|setuser^O(N). Where N is the number of rules provided.^^^^
        acl|users^O(N). Where N is the number of configured users.^^^^
        acl|whoami^O(1)^^^^
        append^O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.^^^^^RW,insert&i1&r0,1,0&
        asking^O(1)^^^^
        auth^O(N) where N is the number of passwords defined for the user^^^^
        bgrewriteaof^O(1)^^^^
        bgsave^O(1)^^^^
        bitcount^O(N)^^^^^RO,access&i1&r0,1,0&
        bitfield^O(1) for each subcommand specified^^^^^RW,access,update,variable_flags&i1&r0,1,0&This command allows both access and modification of the key
        bitfield_ro^O(1) for each subcommand specified^^^^^RO,access&i1&r0,1,0&
        bitop^O(N)^^^^^OW,update&i2&r0,1,0&^RO,access&i3&r-1,1,0&
        bitpos^O(N)^^^^^RO,access&i1&r0,1,0&
        blmove^O(1)^^^^^RW,access,delete&i1&r0,1,0&^RW,insert&i2&r0,1,0&
        blmpop^O(N+M) where N is the number of provided keys and M is the number of elements returned.^^^^^RW,access,delete&i2&n0,1,1&
        blpop^O(N) where N is the number of provided keys.^^^^^RW,access,delete&i1&r-2,1,0&
        brpop^O(N) where N is the number of provided keys.^^^^^RW,access,delete&i1&r-2,1,0&
        brpoplpush^O(1)^^deprecated^6.2.0^`BLMOVE` with the `RIGHT` and `LEFT` arguments^RW,access,delete&i1&r0,1,0&^RW,insert&i2&r0,1,0&
        bzmpop^O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.^^^^^RW,access,delete&i2&n0,1,1&
        bzpopmax^O(log(N)) with N being the number of elements in the sorted set.^^^^^RW,access,delete&i1&r-2,1,0&
        bzpopmin^O(log(N)) with N being the number of elements in the sorted set.^^^^^RW,access,delete&i1&r-2,1,0&
        client^Depends on subcommand.^^^^
        client|caching^O(1)^^^^
        client|getname^O(1)^^^^
        client|getredir^O(1)^^^^
        client|help^O(1)^^^^
        client|id^O(1)^^^^
        client|info^O(1)^nondeterministic_output^^^
        client|kill^O(N) where N is the number of client connections^^^^
        client|list^O(N) where N is the number of client connections^nondeterministic_output^^^
        client|no-evict^O(1)^^^^
        client|pause^O(1)^^^^
        client|reply^O(1)^^^^
        client|setinfo^O(1)^^^^
        client|setname^O(1)^^^^
        client|tracking^O(1). Some options may introduce additional complexity.^^^^
        client|trackinginfo^O(1)^^^^
        client|unblock^O(log N) where N is the number of client connections^^^^
        client|unpause^O(N) Where N is the number of paused clients^^^^
        cluster^Depends on subcommand.^^^^
        cluster|addslots^O(N) where N is the total number of hash slot arguments^^^^
        cluster|addslotsrange^O(N) where N is the total number of the slots between the start slot and end slot arguments.^^^^
        cluster|bumpepoch^O(1)^nondeterministic_output^^^
        cluster|count-failure-reports^O(N) where N is the number of failure reports^nondeterministic_output^^^
        cluster|countkeysinslot^O(1)^^^^
        cluster|delslots^O(N) where N is the total number of hash slot arguments^^^^
        cluster|delslotsrange^O(N) where N is the total number of the slots between the start slot and end slot arguments.^^^^
        cluster|failover^O(1)^^^^
        cluster|flushslots^O(1)^^^^
        cluster|forget^O(1)^^^^
        cluster|getkeysinslot^O(log(N)) where N is the number of requested keys^nondeterministic_output^^^
        cluster|help^O(1)^^^^
        cluster|info^O(1)^nondeterministic_output^^^
        cluster|keyslot^O(N) where N is the number of bytes in the key^^^^
        cluster|links^O(N) where N is the total number of Cluster nodes^nondeterministic_output^^^
        cluster|meet^O(1)^^^^
        cluster|myid^O(1)^^^^
        cluster|nodes^O(N) where N is the total number of Cluster nodes^nondeterministic_output^^^
        cluster|replicas^O(1)^nondeterministic_output^^^
        cluster|replicate^O(1)^^^^
        cluster|reset^O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.^^^^
        cluster|saveconfig^O(1)^^^^
        cluster|set-config-epoch^O(1)^^^^
        cluster|setslot^O(1)^^^^
        cluster|shards^O(N) where N is the total number of cluster nodes^nondeterministic_output^^^
        cluster|slaves^O(1)^nondeterministic_output^deprecated^5.0.0^`CLUSTER REPLICAS`
        cluster|slots^O(N) where N is the total number of Cluster nodes^nondeterministic_output^deprecated^7.0.0^`CLUSTER SHARDS`
        command^O(N) where N is the total number of Redis commands^nondeterministic_output_order^^^
        command|count^O(1)^^^^
        command|docs^O(N) where N is the number of commands to look up^nondeterministic_output_order^^^
        command|getkeys^O(N) where N is the number of arguments to the command^^^^
        command|getkeysandflags^O(N) where N is the number of arguments to the command^^^^
        command|help^O(1)^^^^
        command|info^O(N) where N is the number of commands to look up^nondeterministic_output_order^^^
        command|list^O(N) where N is the total number of Redis commands^nondeterministic_output_order^^^
        config^Depends on subcommand.^^^^
        config|get^O(N) when N is the number of configuration parameters provided^^^^
        config|help^O(1)^^^^
        config|resetstat^O(1)^^^^
        config|rewrite^O(1)^^^^
        config|set^O(N) when N is the number of configuration parameters provided^request_policy:all_nodes,response_policy:all_succeeded^^^
        copy^O(N) worst case for collections, where N is the number of nested items. O(1) for string values.^^^^^RO,access&i1&r0,1,0&^OW,update&i2&r0,1,0&
        dbsize^O(1)^request_policy:all_shards,response_policy:agg_sum^^^
        debug^Depends on subcommand.^^syscmd^^
        decr^O(1)^^^^^RW,access,update&i1&r0,1,0&
        decrby^O(1)^^^^^RW,access,update&i1&r0,1,0&
        del^O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).^request_policy:multi_shard,response_policy:agg_sum^^^^RM,delete&i1&r-1,1,0&
        discard^O(N), when N is the number of queued commands^^^^
        dump^O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        echo^O(1)^^^^
        eval^Depends on the script that is executed.^^^^^RW,access,update&i2&n0,1,1&We cannot tell how the keys will be used so we assume the worst, RW and UPDATE
        eval_ro^Depends on the script that is executed.^^^^^RO,access&i2&n0,1,1&We cannot tell how the keys will be used so we assume the worst, RO and ACCESS
        evalsha^Depends on the script that is executed.^^^^^RW,access,update&i2&n0,1,1&
        evalsha_ro^Depends on the script that is executed.^^^^^RO,access&i2&n0,1,1&
        exec^Depends on commands in the transaction^^^^
        exists^O(N) where N is the number of keys to check.^request_policy:multi_shard,response_policy:agg_sum^^^^RO&i1&r-1,1,0&
        expire^O(1)^^^^^RW,update&i1&r0,1,0&
        expireat^O(1)^^^^^RW,update&i1&r0,1,0&
        expiretime^O(1)^^^^^RO,access&i1&r0,1,0&
        failover^O(1)^^^^
        fcall^Depends on the function that is executed.^^^^^RW,access,update&i2&n0,1,1&We cannot tell how the keys will be used so we assume the worst, RW and UPDATE
        fcall_ro^Depends on the function that is executed.^^^^^RO,access&i2&n0,1,1&We cannot tell how the keys will be used so we assume the worst, RO and ACCESS
        flushall^O(N) where N is the total number of keys in all databases^request_policy:all_shards,response_policy:all_succeeded^^^
        flushdb^O(N) where N is the number of keys in the selected database^request_policy:all_shards,response_policy:all_succeeded^^^
        function^Depends on subcommand.^^^^
        function|delete^O(1)^request_policy:all_shards,response_policy:all_succeeded^^^
        function|dump^O(N) where N is the number of functions^^^^
        function|flush^O(N) where N is the number of functions deleted^request_policy:all_shards,response_policy:all_succeeded^^^
        function|help^O(1)^^^^
        function|kill^O(1)^request_policy:all_shards,response_policy:one_succeeded^^^
        function|list^O(N) where N is the number of functions^nondeterministic_output_order^^^
        function|load^O(1) (considering compilation time is redundant)^request_policy:all_shards,response_policy:all_succeeded^^^
        function|restore^O(N) where N is the number of functions on the payload^request_policy:all_shards,response_policy:all_succeeded^^^
        function|stats^O(1)^nondeterministic_output,request_policy:all_shards,response_policy:special^^^
        geoadd^O(log(N)) for each item added, where N is the number of elements in the sorted set.^^^^^RW,update&i1&r0,1,0&
        geodist^O(log(N))^^^^^RO,access&i1&r0,1,0&
        geohash^O(log(N)) for each member requested, where N is the number of elements in the sorted set.^^^^^RO,access&i1&r0,1,0&
        geopos^O(N) where N is the number of members requested.^^^^^RO,access&i1&r0,1,0&
        georadius^O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.^^deprecated^6.2.0^`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument^RO,access&i1&r0,1,0&^OW,update&kSTORE,6&r0,1,0&^OW,update&kSTOREDIST,6&r0,1,0&
        georadius_ro^O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.^^deprecated^6.2.0^`GEOSEARCH` with the `BYRADIUS` argument^RO,access&i1&r0,1,0&
        georadiusbymember^O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.^^deprecated^6.2.0^`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments^RO,access&i1&r0,1,0&^OW,update&kSTORE,5&r0,1,0&^OW,update&kSTOREDIST,5&r0,1,0&
        georadiusbymember_ro^O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.^^deprecated^6.2.0^`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments^RO,access&i1&r0,1,0&
        geosearch^O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape^^^^^RO,access&i1&r0,1,0&
        geosearchstore^O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape^^^^^OW,update&i1&r0,1,0&^RO,access&i2&r0,1,0&
        get^O(1)^^^^^RO,access&i1&r0,1,0&
        getbit^O(1)^^^^^RO,access&i1&r0,1,0&
        getdel^O(1)^^^^^RW,access,delete&i1&r0,1,0&
        getex^O(1)^^^^^RW,access,update&i1&r0,1,0&RW and UPDATE because it changes the TTL
        getrange^O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.^^^^^RO,access&i1&r0,1,0&
        getset^O(1)^^deprecated^6.2.0^`SET` with the `!GET` argument^RW,access,update&i1&r0,1,0&
        hdel^O(N) where N is the number of fields to be removed.^^^^^RW,delete&i1&r0,1,0&
        hello^O(1)^^^^
        hexists^O(1)^^^^^RO&i1&r0,1,0&
        hget^O(1)^^^^^RO,access&i1&r0,1,0&
        hgetall^O(N) where N is the size of the hash.^nondeterministic_output_order^^^^RO,access&i1&r0,1,0&
        hincrby^O(1)^^^^^RW,access,update&i1&r0,1,0&
        hincrbyfloat^O(1)^^^^^RW,access,update&i1&r0,1,0&
        hkeys^O(N) where N is the size of the hash.^nondeterministic_output_order^^^^RO,access&i1&r0,1,0&
        hlen^O(1)^^^^^RO&i1&r0,1,0&
        hmget^O(N) where N is the number of fields being requested.^^^^^RO,access&i1&r0,1,0&
        hmset^O(N) where N is the number of fields being set.^^deprecated^4.0.0^`HSET` with multiple field-value pairs^RW,update&i1&r0,1,0&
        hrandfield^O(N) where N is the number of fields returned^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        hscan^O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        hset^O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.^^^^^RW,update&i1&r0,1,0&
        hsetnx^O(1)^^^^^RW,insert&i1&r0,1,0&
        hstrlen^O(1)^^^^^RO&i1&r0,1,0&
        hvals^O(N) where N is the size of the hash.^nondeterministic_output_order^^^^RO,access&i1&r0,1,0&
        incr^O(1)^^^^^RW,access,update&i1&r0,1,0&
        incrby^O(1)^^^^^RW,access,update&i1&r0,1,0&
        incrbyfloat^O(1)^^^^^RW,access,update&i1&r0,1,0&
        info^O(1)^nondeterministic_output,request_policy:all_shards,response_policy:special^^^
        keys^O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.^request_policy:all_shards,nondeterministic_output_order^^^
        lastsave^O(1)^nondeterministic_output^^^
        latency^Depends on subcommand.^^^^
        latency|doctor^O(1)^nondeterministic_output,request_policy:all_nodes,response_policy:special^^^
        latency|graph^O(1)^nondeterministic_output,request_policy:all_nodes,response_policy:special^^^
        latency|help^O(1)^^^^
        latency|histogram^O(N) where N is the number of commands with latency information being retrieved.^nondeterministic_output,request_policy:all_nodes,response_policy:special^^^
        latency|history^O(1)^nondeterministic_output,request_policy:all_nodes,response_policy:special^^^
        latency|latest^O(1)^nondeterministic_output,request_policy:all_nodes,response_policy:special^^^
        latency|reset^O(1)^request_policy:all_nodes,response_policy:all_succeeded^^^
        lcs^O(N*M) where N and M are the lengths of s1 and s2, respectively^^^^^RO,access&i1&r1,1,0&
        lindex^O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).^^^^^RO,access&i1&r0,1,0&
        linsert^O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).^^^^^RW,insert&i1&r0,1,0&
        llen^O(1)^^^^^RO&i1&r0,1,0&
        lmove^O(1)^^^^^RW,access,delete&i1&r0,1,0&^RW,insert&i2&r0,1,0&
        lmpop^O(N+M) where N is the number of provided keys and M is the number of elements returned.^^^^^RW,access,delete&i1&n0,1,1&
        lolwut^^^^^
        lpop^O(N) where N is the number of elements returned^^^^^RW,access,delete&i1&r0,1,0&
        lpos^O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.^^^^^RO,access&i1&r0,1,0&
        lpush^O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.^^^^^RW,insert&i1&r0,1,0&
        lpushx^O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.^^^^^RW,insert&i1&r0,1,0&
        lrange^O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.^^^^^RO,access&i1&r0,1,0&
        lrem^O(N+M) where N is the length of the list and M is the number of elements removed.^^^^^RW,delete&i1&r0,1,0&
        lset^O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).^^^^^RW,update&i1&r0,1,0&
        ltrim^O(N) where N is the number of elements to be removed by the operation.^^^^^RW,delete&i1&r0,1,0&
        memory^Depends on subcommand.^^^^
        memory|doctor^O(1)^nondeterministic_output,request_policy:all_shards,response_policy:special^^^
        memory|help^O(1)^^^^
        memory|malloc-stats^Depends on how much memory is allocated, could be slow^nondeterministic_output,request_policy:all_shards,response_policy:special^^^
        memory|purge^Depends on how much memory is allocated, could be slow^request_policy:all_shards,response_policy:all_succeeded^^^
        memory|stats^O(1)^nondeterministic_output,request_policy:all_shards,response_policy:special^^^
        memory|usage^O(N) where N is the number of samples.^^^^^RO&i2&r0,1,0&
        mget^O(N) where N is the number of keys to retrieve.^request_policy:multi_shard^^^^RO,access&i1&r-1,1,0&
        migrate^This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.^nondeterministic_output^^^^RW,access,delete&i3&r0,1,0&^RW,access,delete,incomplete&kKEYS,-2&r-1,1,0&
        module^Depends on subcommand.^^^^
        module|help^O(1)^^^^
        module|list^O(N) where N is the number of loaded modules.^nondeterministic_output_order^^^
        module|load^O(1)^^^^
        module|loadex^O(1)^^^^
        module|unload^O(1)^^^^
        monitor^^^^^
        move^O(1)^^^^^RW,access,update&i1&r0,1,0&
        mset^O(N) where N is the number of keys to set.^request_policy:multi_shard,response_policy:all_succeeded^^^^OW,update&i1&r-1,2,0&
        msetnx^O(N) where N is the number of keys to set.^request_policy:multi_shard,response_policy:agg_min^^^^OW,insert&i1&r-1,2,0&
        multi^O(1)^^^^
        object^Depends on subcommand.^^^^
        object|encoding^O(1)^nondeterministic_output^^^^RO&i2&r0,1,0&
        object|freq^O(1)^nondeterministic_output^^^^RO&i2&r0,1,0&
        object|help^O(1)^^^^
        object|idletime^O(1)^nondeterministic_output^^^^RO&i2&r0,1,0&
        object|refcount^O(1)^nondeterministic_output^^^^RO&i2&r0,1,0&
        persist^O(1)^^^^^RW,update&i1&r0,1,0&
        pexpire^O(1)^^^^^RW,update&i1&r0,1,0&
        pexpireat^O(1)^^^^^RW,update&i1&r0,1,0&
        pexpiretime^O(1)^^^^^RO,access&i1&r0,1,0&
        pfadd^O(1) to add every element.^^^^^RW,insert&i1&r0,1,0&
        pfcount^O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.^^^^^RW,access&i1&r-1,1,0&RW because it may change the internal representation of the key, and propagate to replicas
        pfdebug^N/A^^syscmd^^^RW,access&i2&r0,1,0&
        pfmerge^O(N) to merge N HyperLogLogs, but with high constant times.^^^^^RW,access,insert&i1&r0,1,0&^RO,access&i2&r-1,1,0&
        pfselftest^N/A^^syscmd^^
        ping^O(1)^request_policy:all_shards,response_policy:all_succeeded^^^
        psetex^O(1)^^^^^OW,update&i1&r0,1,0&
        psubscribe^O(N) where N is the number of patterns the client is already subscribed to.^^^^
        psync^^^^^
        pttl^O(1)^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        publish^O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).^^^^
        pubsub^Depends on subcommand.^^^^
        pubsub|channels^O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)^^^^
        pubsub|help^O(1)^^^^
        pubsub|numpat^O(1)^^^^
        pubsub|numsub^O(N) for the NUMSUB subcommand, where N is the number of requested channels^^^^
        pubsub|shardchannels^O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).^^^^
        pubsub|shardnumsub^O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels^^^^
        punsubscribe^O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).^^^^
        quit^O(1)^^^^
        randomkey^O(1)^request_policy:all_shards,nondeterministic_output^^^
        readonly^O(1)^^^^
        readwrite^O(1)^^^^
        rename^O(1)^^^^^RW,access,delete&i1&r0,1,0&^OW,update&i2&r0,1,0&
        renamenx^O(1)^^^^^RW,access,delete&i1&r0,1,0&^OW,insert&i2&r0,1,0&
        replconf^O(1)^^syscmd^^
        replicaof^O(1)^^^^
        reset^O(1)^^^^
        restore-asking^O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).^^syscmd^^^OW,update&i1&r0,1,0&
        restore^O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).^^^^^OW,update&i1&r0,1,0&
        role^O(1)^^^^
        rpop^O(N) where N is the number of elements returned^^^^^RW,access,delete&i1&r0,1,0&
        rpoplpush^O(1)^^deprecated^6.2.0^`LMOVE` with the `RIGHT` and `LEFT` arguments^RW,access,delete&i1&r0,1,0&^RW,insert&i2&r0,1,0&
        rpush^O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.^^^^^RW,insert&i1&r0,1,0&
        rpushx^O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.^^^^^RW,insert&i1&r0,1,0&
        sadd^O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.^^^^^RW,insert&i1&r0,1,0&
        save^O(N) where N is the total number of keys in all databases^^^^
        scan^O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.^nondeterministic_output,request_policy:special^^^
        scard^O(1)^^^^^RO&i1&r0,1,0&
        script^Depends on subcommand.^^^^
        script|debug^O(1)^^^^
        script|exists^O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).^request_policy:all_shards,response_policy:agg_logical_and^^^
        script|flush^O(N) with N being the number of scripts in cache^request_policy:all_nodes,response_policy:all_succeeded^^^
        script|help^O(1)^^^^
        script|kill^O(1)^request_policy:all_shards,response_policy:one_succeeded^^^
        script|load^O(N) with N being the length in bytes of the script body.^request_policy:all_nodes,response_policy:all_succeeded^^^
        sdiff^O(N) where N is the total number of elements in all given sets.^nondeterministic_output_order^^^^RO,access&i1&r-1,1,0&
        sdiffstore^O(N) where N is the total number of elements in all given sets.^^^^^OW,update&i1&r0,1,0&^RO,access&i2&r-1,1,0&
        select^O(1)^^^^
        set^O(1)^^^^^RW,access,update,variable_flags&i1&r0,1,0&RW and ACCESS due to the optional `GET` argument
        setbit^O(1)^^^^^RW,access,update&i1&r0,1,0&
        setex^O(1)^^^^^OW,update&i1&r0,1,0&
        setnx^O(1)^^^^^OW,insert&i1&r0,1,0&
        setrange^O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.^^^^^RW,update&i1&r0,1,0&
        shutdown^O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)^^^^
        sinter^O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.^nondeterministic_output_order^^^^RO,access&i1&r-1,1,0&
        sintercard^O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.^^^^^RO,access&i1&n0,1,1&
        sinterstore^O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.^^^^^RW,update&i1&r0,1,0&^RO,access&i2&r-1,1,0&
        sismember^O(1)^^^^^RO&i1&r0,1,0&
        slaveof^O(1)^^deprecated^5.0.0^`REPLICAOF`
        slowlog^Depends on subcommand.^^^^
        slowlog|get^O(N) where N is the number of entries returned^request_policy:all_nodes,nondeterministic_output^^^
        slowlog|help^O(1)^^^^
        slowlog|len^O(1)^request_policy:all_nodes,response_policy:agg_sum,nondeterministic_output^^^
        slowlog|reset^O(N) where N is the number of entries in the slowlog^request_policy:all_nodes,response_policy:all_succeeded^^^
        smembers^O(N) where N is the set cardinality.^nondeterministic_output_order^^^^RO,access&i1&r0,1,0&
        smismember^O(N) where N is the number of elements being checked for membership^^^^^RO,access&i1&r0,1,0&
        smove^O(1)^^^^^RW,access,delete&i1&r0,1,0&^RW,insert&i2&r0,1,0&
        sort^O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).^^^^^RO,access&i1&r0,1,0&^RO,access&u&u&For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort^OW,update&u&u&For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array
        sort_ro^O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).^^^^^RO,access&i1&r0,1,0&^RO,access&u&u&For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort
        spop^Without the count argument O(1), otherwise O(N) where N is the value of the passed count.^nondeterministic_output^^^^RW,access,delete&i1&r0,1,0&
        spublish^O(N) where N is the number of clients subscribed to the receiving shard channel.^^^^^not_key&i1&r0,1,0&
        srandmember^Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        srem^O(N) where N is the number of members to be removed.^^^^^RW,delete&i1&r0,1,0&
        sscan^O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        ssubscribe^O(N) where N is the number of shard channels to subscribe to.^^^^^not_key&i1&r-1,1,0&
        strlen^O(1)^^^^^RO&i1&r0,1,0&
        subscribe^O(N) where N is the number of channels to subscribe to.^^^^
        substr^O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.^^deprecated^2.0.0^`GETRANGE`^RO,access&i1&r0,1,0&
        sunion^O(N) where N is the total number of elements in all given sets.^nondeterministic_output_order^^^^RO,access&i1&r-1,1,0&
        sunionstore^O(N) where N is the total number of elements in all given sets.^^^^^OW,update&i1&r0,1,0&^RO,access&i2&r-1,1,0&
        sunsubscribe^O(N) where N is the number of clients already subscribed to a shard channel.^^^^^not_key&i1&r-1,1,0&
        swapdb^O(N) where N is the count of clients watching or blocking on keys from both databases.^^^^
        sync^^^^^
        time^O(1)^nondeterministic_output^^^
        touch^O(N) where N is the number of keys that will be touched.^request_policy:multi_shard,response_policy:agg_sum^^^^RO&i1&r-1,1,0&
        ttl^O(1)^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        type^O(1)^^^^^RO&i1&r0,1,0&
        unlink^O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.^request_policy:multi_shard,response_policy:agg_sum^^^^RM,delete&i1&r-1,1,0&
        unsubscribe^O(N) where N is the number of clients already subscribed to a channel.^^^^
        unwatch^O(1)^^^^
        wait^O(1)^request_policy:all_shards,response_policy:agg_min^^^
        watch^O(1) for every key.^^^^^RO&i1&r-1,1,0&
        xack^O(1) for each message ID processed.^^^^^RW,update&i1&r0,1,0&
        xadd^O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.^nondeterministic_output^^^^RW,update&i1&r0,1,0&UPDATE instead of INSERT because of the optional trimming feature
        xautoclaim^O(1) if COUNT is small.^nondeterministic_output^^^^RW,delete&i1&r0,1,0&
        xclaim^O(log N) with N being the number of messages in the PEL of the consumer group.^nondeterministic_output^^^^RW,update&i1&r0,1,0&
        xdel^O(1) for each single item to delete in the stream, regardless of the stream size.^^^^^RW,delete&i1&r0,1,0&
        xgroup^Depends on subcommand.^^^^
        xgroup|create^O(1)^^^^^RW,insert&i2&r0,1,0&
        xgroup|createconsumer^O(1)^^^^^RW,insert&i2&r0,1,0&
        xgroup|delconsumer^O(1)^^^^^RW,delete&i2&r0,1,0&
        xgroup|destroy^O(N) where N is the number of entries in the group's pending entries list (PEL).^^^^^RW,delete&i2&r0,1,0&
        xgroup|help^O(1)^^^^
        xgroup|setid^O(1)^^^^^RW,update&i2&r0,1,0&
        xinfo^Depends on subcommand.^^^^
        xinfo|consumers^O(1)^nondeterministic_output^^^^RO,access&i2&r0,1,0&
        xinfo|groups^O(1)^^^^^RO,access&i2&r0,1,0&
        xinfo|help^O(1)^^^^
        xinfo|stream^O(1)^^^^^RO,access&i2&r0,1,0&
        xlen^O(1)^^^^^RO&i1&r0,1,0&
        xpending^O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        xrange^O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).^^^^^RO,access&i1&r0,1,0&
        xread^For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.^^^^^RO,access&kSTREAMS,1&r-1,1,2&
        xreadgroup^For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.^^^^^RO,access&kSTREAMS,4&r-1,1,2&
        xrevrange^O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).^^^^^RO,access&i1&r0,1,0&
        xsetid^O(1)^^^^^RW,update&i1&r0,1,0&
        xtrim^O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.^nondeterministic_output^^^^RW,delete&i1&r0,1,0&
        zadd^O(log(N)) for each item added, where N is the number of elements in the sorted set.^^^^^RW,update&i1&r0,1,0&
        zcard^O(1)^^^^^RO&i1&r0,1,0&
        zcount^O(log(N)) with N being the number of elements in the sorted set.^^^^^RO,access&i1&r0,1,0&
        zdiff^O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.^^^^^RO,access&i1&n0,1,1&
        zdiffstore^O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.^^^^^OW,update&i1&r0,1,0&^RO,access&i2&n0,1,1&
        zincrby^O(log(N)) where N is the number of elements in the sorted set.^^^^^RW,access,update&i1&r0,1,0&
        zinter^O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.^^^^^RO,access&i1&n0,1,1&
        zintercard^O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.^^^^^RO,access&i1&n0,1,1&
        zinterstore^O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.^^^^^OW,update&i1&r0,1,0&^RO,access&i2&n0,1,1&
        zlexcount^O(log(N)) with N being the number of elements in the sorted set.^^^^^RO,access&i1&r0,1,0&
        zmpop^O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.^^^^^RW,access,delete&i1&n0,1,1&
        zmscore^O(N) where N is the number of members being requested.^^^^^RO,access&i1&r0,1,0&
        zpopmax^O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.^^^^^RW,access,delete&i1&r0,1,0&
        zpopmin^O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.^^^^^RW,access,delete&i1&r0,1,0&
        zrandmember^O(N) where N is the number of elements returned^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        zrange^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.^^^^^RO,access&i1&r0,1,0&
        zrangebylex^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).^^deprecated^6.2.0^`ZRANGE` with the `BYLEX` argument^RO,access&i1&r0,1,0&
        zrangebyscore^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).^^deprecated^6.2.0^`ZRANGE` with the `BYSCORE` argument^RO,access&i1&r0,1,0&
        zrangestore^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.^^^^^OW,update&i1&r0,1,0&^RO,access&i2&r0,1,0&
        zrank^O(log(N))^^^^^RO,access&i1&r0,1,0&
        zrem^O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.^^^^^RW,delete&i1&r0,1,0&
        zremrangebylex^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.^^^^^RW,delete&i1&r0,1,0&
        zremrangebyrank^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.^^^^^RW,delete&i1&r0,1,0&
        zremrangebyscore^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.^^^^^RW,delete&i1&r0,1,0&
        zrevrange^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.^^deprecated^6.2.0^`ZRANGE` with the `REV` argument^RO,access&i1&r0,1,0&
        zrevrangebylex^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).^^deprecated^6.2.0^`ZRANGE` with the `REV` and `BYLEX` arguments^RO,access&i1&r0,1,0&
        zrevrangebyscore^O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).^^deprecated^6.2.0^`ZRANGE` with the `REV` and `BYSCORE` arguments^RO,access&i1&r0,1,0&
        zrevrank^O(log(N))^^^^^RO,access&i1&r0,1,0&
        zscan^O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..^nondeterministic_output^^^^RO,access&i1&r0,1,0&
        zscore^O(1)^^^^^RO,access&i1&r0,1,0&
        zunion^O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.^^^^^RO,access&i1&n0,1,1&
        zunionstore^O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.^^^^^OW,update&i1&r0,1,0&^RO,access&i2&n0,1,1&
        """
}
