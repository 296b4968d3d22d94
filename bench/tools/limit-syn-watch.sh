# Ablation of 2026-12-07 (README section 4): in a router applied by a jar from before b034e7a,
# replace the syn_sent add with the rate-limited one net-balancer now renders.
H=$(nft -a list chain inet net_balancer nat_postrouting | grep 'add @syn_sent' | sed 's/.*# handle //')
nft replace rule inet net_balancer nat_postrouting handle $H 'tcp flags & (syn | ack) == syn oifname { "wan1", "wan2", "wan3" } limit rate 200/second burst 20 packets add @syn_sent { ct original ip saddr . ct original proto-src . ct original ip daddr . ct original proto-dst . oifname }'
