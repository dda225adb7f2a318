package reg

// Statistics registers (§13.7). All clear when read; the 64-bit octet
// counters are pairs, low word first, and reading the high word clears
// both.
const (
	CRCERRS  = 0x04000 // CRC Error Count
	ALGNERRC = 0x04004 // Alignment Error Count
	SYMERRS  = 0x04008 // Symbol Error Count
	RXERRC   = 0x0400C // RX Error Count
	MPC      = 0x04010 // Missed Packets Count
	SCC      = 0x04014 // Single Collision Count
	ECOL     = 0x04018 // Excessive Collisions Count
	MCC      = 0x0401C // Multiple Collision Count
	LATECOL  = 0x04020 // Late Collisions Count
	COLC     = 0x04028 // Collision Count
	DC       = 0x04030 // Defer Count
	TNCRS    = 0x04034 // Transmit with No CRS
	SEC      = 0x04038 // Sequence Error Count
	CEXTERR  = 0x0403C // Carrier Extension Error Count
	RLEC     = 0x04040 // Receive Length Error Count
	XONRXC   = 0x04048 // XON Received Count
	XONTXC   = 0x0404C // XON Transmitted Count
	XOFFRXC  = 0x04050 // XOFF Received Count
	XOFFTXC  = 0x04054 // XOFF Transmitted Count
	FCRUC    = 0x04058 // FC Received Unsupported Count
	PRC64    = 0x0405C // Packets Received (64 Bytes) Count
	PRC127   = 0x04060 // Packets Received (65-127 Bytes)
	PRC255   = 0x04064 // Packets Received (128-255 Bytes)
	PRC511   = 0x04068 // Packets Received (256-511 Bytes)
	PRC1023  = 0x0406C // Packets Received (512-1023 Bytes)
	PRC1522  = 0x04070 // Packets Received (1024-Max Bytes)
	GPRC     = 0x04074 // Good Packets Received Count
	BPRC     = 0x04078 // Broadcast Packets Received Count
	MPRC     = 0x0407C // Multicast Packets Received Count
	GPTC     = 0x04080 // Good Packets Transmitted Count
	GORCL    = 0x04088 // Good Octets Received Count (low)
	GORCH    = 0x0408C
	GOTCL    = 0x04090 // Good Octets Transmitted Count (low)
	GOTCH    = 0x04094
	RNBC     = 0x040A0 // Receive No Buffers Count
	RUC      = 0x040A4 // Receive Undersize Count
	RFC      = 0x040A8 // Receive Fragment Count
	ROC      = 0x040AC // Receive Oversize Count
	RJC      = 0x040B0 // Receive Jabber Count
	MGTPRC   = 0x040B4 // Management Packets Received Count
	MGTPDC   = 0x040B8 // Management Packets Dropped Count
	MGTPTC   = 0x040BC // Management Packets Transmitted Count
	TORL     = 0x040C0 // Total Octets Received (low)
	TORH     = 0x040C4
	TOTL     = 0x040C8 // Total Octets Transmitted (low)
	TOTH     = 0x040CC
	TPR      = 0x040D0 // Total Packets Received
	TPT      = 0x040D4 // Total Packets Transmitted
	PTC64    = 0x040D8 // Packets Transmitted (64 Bytes)
	PTC127   = 0x040DC // Packets Transmitted (65-127 Bytes)
	PTC255   = 0x040E0 // Packets Transmitted (128-255 Bytes)
	PTC511   = 0x040E4 // Packets Transmitted (256-511 Bytes)
	PTC1023  = 0x040E8 // Packets Transmitted (512-1023 Bytes)
	PTC1522  = 0x040EC // Packets Transmitted (1024-Max Bytes)
	MPTC     = 0x040F0 // Multicast Packets Transmitted Count
	BPTC     = 0x040F4 // Broadcast Packets Transmitted Count
	TSCTC    = 0x040F8 // TCP Segmentation Context Transmitted Count
	TSCTFC   = 0x040FC // TCP Segmentation Context Tx Fail Count

	StatsFirst = CRCERRS
	StatsLast  = TSCTFC
)
