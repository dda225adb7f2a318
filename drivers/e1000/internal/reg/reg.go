// Package reg names the 8254x registers, register bits and descriptor
// fields the driver and its device model share. Names follow the Intel
// PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
// Manual (8254x SDM, rev 4.0): section 13 for registers, section 3 for
// descriptors. Offsets are bytes from the start of the memory BAR; every
// register is 32 bits wide and must be accessed as such.
package reg

// General registers (§13.4).
const (
	CTRL     = 0x00000 // Device Control (§13.4.1)
	STATUS   = 0x00008 // Device Status (§13.4.2)
	EECD     = 0x00010 // EEPROM/Flash Control (§13.4.3)
	EERD     = 0x00014 // EEPROM Read (§13.4.4)
	CTRL_EXT = 0x00018 // Extended Device Control
	MDIC     = 0x00020 // MDI Control
	FCAL     = 0x00028 // Flow Control Address Low
	FCAH     = 0x0002C // Flow Control Address High
	FCT      = 0x00030 // Flow Control Type
	VET      = 0x00038 // VLAN Ether Type
	FCTTV    = 0x00170 // Flow Control Transmit Timer Value
	ICR      = 0x000C0 // Interrupt Cause Read, clear on read (§13.4.17)
	ITR      = 0x000C4 // Interrupt Throttling (§13.4.18)
	ICS      = 0x000C8 // Interrupt Cause Set (§13.4.19)
	IMS      = 0x000D0 // Interrupt Mask Set/Read (§13.4.20)
	IMC      = 0x000D8 // Interrupt Mask Clear (§13.4.21)
	RCTL     = 0x00100 // Receive Control (§13.4.22)
	TCTL     = 0x00400 // Transmit Control (§13.4.33)
	TIPG     = 0x00410 // Transmit IPG (§13.4.34)
	PBA      = 0x01000 // Packet Buffer Allocation
)

// Receive and transmit rings (§13.4.25 on).
const (
	RDBAL  = 0x02800 // Receive Descriptor Base Address Low
	RDBAH  = 0x02804 // Receive Descriptor Base Address High
	RDLEN  = 0x02808 // Receive Descriptor Length, bytes, multiple of 128
	RDH    = 0x02810 // Receive Descriptor Head
	RDT    = 0x02818 // Receive Descriptor Tail
	RDTR   = 0x02820 // Receive Delay Timer
	RADV   = 0x0282C // Receive Interrupt Absolute Delay Timer
	TDBAL  = 0x03800 // Transmit Descriptor Base Address Low
	TDBAH  = 0x03804 // Transmit Descriptor Base Address High
	TDLEN  = 0x03808 // Transmit Descriptor Length
	TDH    = 0x03810 // Transmit Descriptor Head
	TDT    = 0x03818 // Transmit Descriptor Tail
	TIDV   = 0x03820 // Transmit Interrupt Delay Value
	TADV   = 0x0382C // Transmit Absolute Interrupt Delay Value
	RXCSUM = 0x05000 // Receive Checksum Control
)

// Filters (§13.5).
const (
	MTA  = 0x05200 // Multicast Table Array, 128 registers (§13.5.1)
	RA   = 0x05400 // Receive Address: RAL(n) at RA+8n, RAH(n) at RA+8n+4 (§13.5.2)
	RAL0 = RA
	RAH0 = RA + 4
	VFTA = 0x05600 // VLAN Filter Table Array (§13.5.3)

	MTAEntries = 128
	RAEntries  = 16
)

// RAL returns the offset of Receive Address Low n.
func RAL(n int) uint64 { return RA + 8*uint64(n) }

// RAH returns the offset of Receive Address High n.
func RAH(n int) uint64 { return RA + 8*uint64(n) + 4 }

// RAH bits.
const RAH_AV = 1 << 31 // Address Valid

// CTRL bits (§13.4.1).
const (
	CTRL_FD      = 1 << 0  // Full Duplex
	CTRL_LRST    = 1 << 3  // Link Reset
	CTRL_ASDE    = 1 << 5  // Auto-Speed Detection Enable
	CTRL_SLU     = 1 << 6  // Set Link Up
	CTRL_ILOS    = 1 << 7  // Invert Loss-of-Signal
	CTRL_FRCSPD  = 1 << 11 // Force Speed
	CTRL_FRCDPLX = 1 << 12 // Force Duplex
	CTRL_RST     = 1 << 26 // Device Reset, self-clearing
	CTRL_RFCE    = 1 << 27 // Receive Flow Control Enable
	CTRL_TFCE    = 1 << 28 // Transmit Flow Control Enable
	CTRL_VME     = 1 << 30 // VLAN Mode Enable
	CTRL_PHY_RST = 1 << 31 // PHY Reset

	CTRL_SPEED_MASK = 3 << 8
	CTRL_SPEED_1000 = 2 << 8
)

// STATUS bits (§13.4.2).
const (
	STATUS_FD         = 1 << 0 // Full Duplex
	STATUS_LU         = 1 << 1 // Link Up
	STATUS_TXOFF      = 1 << 4 // transmission paused by flow control
	STATUS_SPEED_MASK = 3 << 6
	STATUS_SPEED_10   = 0 << 6
	STATUS_SPEED_100  = 1 << 6
	STATUS_SPEED_1000 = 2 << 6
)

// EERD fields (§13.4.4). The 82540/82545 put the word address in bits
// 15:8 and DONE in bit 4; the 82574 moved them to bits 15:2 and bit 1
// (82574 datasheet, EERD).
const (
	EERD_START        = 1 << 0
	EERD_DONE         = 1 << 4
	EERD_ADDR_SHIFT   = 8
	EERD_DONE_82574   = 1 << 1
	EERD_ADDR_SHIFT_2 = 2 // 82574
	EERD_DATA_SHIFT   = 16
)

// EEPROM words (§5.6).
const (
	EEPROM_MAC      = 0x00 // Ethernet address, words 0-2, low byte first
	EEPROM_CHECKSUM = 0x3F // makes words 0x00-0x3F sum to EEPROM_SUM
	EEPROM_SUM      = 0xBABA
	EEPROM_WORDS    = 0x40
)

// Interrupt causes: ICR, ICS, IMS and IMC share these bits (§13.4.17).
const (
	ICR_TXDW    = 1 << 0  // Transmit Descriptor Written Back
	ICR_TXQE    = 1 << 1  // Transmit Queue Empty
	ICR_LSC     = 1 << 2  // Link Status Change
	ICR_RXSEQ   = 1 << 3  // Receive Sequence Error
	ICR_RXDMT0  = 1 << 4  // Receive Descriptor Minimum Threshold hit
	ICR_RXO     = 1 << 6  // Receiver Overrun
	ICR_RXT0    = 1 << 7  // Receiver Timer Interrupt
	ICR_MDAC    = 1 << 9  // MDI/O Access Complete
	ICR_RXCFG   = 1 << 10 // Receiving /C/ ordered sets
	ICR_TXD_LOW = 1 << 15
	ICR_SRPD    = 1 << 16 // Small Receive Packet Detected
)

// RCTL bits (§13.4.22).
const (
	RCTL_EN          = 1 << 1  // Receiver Enable
	RCTL_SBP         = 1 << 2  // Store Bad Packets
	RCTL_UPE         = 1 << 3  // Unicast Promiscuous Enable
	RCTL_MPE         = 1 << 4  // Multicast Promiscuous Enable
	RCTL_LPE         = 1 << 5  // Long Packet Reception Enable
	RCTL_LBM_MASK    = 3 << 6  // Loopback Mode
	RCTL_RDMTS_HALF  = 0 << 8  // RXDMT0 when half the ring is free
	RCTL_RDMTS_QUAT  = 1 << 8  // ... a quarter
	RCTL_RDMTS_EIGTH = 2 << 8  // ... an eighth
	RCTL_RDMTS_MASK  = 3 << 8  //
	RCTL_MO_MASK     = 3 << 12 // Multicast Offset: which address bits hash into the MTA
	RCTL_BAM         = 1 << 15 // Broadcast Accept Mode
	RCTL_BSIZE_2048  = 0 << 16 // with BSEX clear
	RCTL_BSIZE_1024  = 1 << 16
	RCTL_BSIZE_512   = 2 << 16
	RCTL_BSIZE_256   = 3 << 16
	RCTL_BSIZE_MASK  = 3 << 16
	RCTL_VFE         = 1 << 18 // VLAN Filter Enable
	RCTL_DPF         = 1 << 22 // Discard Pause Frames
	RCTL_PMCF        = 1 << 23 // Pass MAC Control Frames
	RCTL_BSEX        = 1 << 25 // Buffer Size Extension (x16)
	RCTL_SECRC       = 1 << 26 // Strip Ethernet CRC
)

// TCTL bits (§13.4.33).
const (
	TCTL_EN         = 1 << 1 // Transmit Enable
	TCTL_PSP        = 1 << 3 // Pad Short Packets
	TCTL_CT_SHIFT   = 4      // Collision Threshold
	TCTL_CT_MASK    = 0xFF << TCTL_CT_SHIFT
	TCTL_COLD_SHIFT = 12 // Collision Distance
	TCTL_COLD_MASK  = 0x3FF << TCTL_COLD_SHIFT
	TCTL_SWXOFF     = 1 << 22
	TCTL_RTLC       = 1 << 24 // Re-transmit on Late Collision
)

// TIPG fields (§13.4.34).
const (
	TIPG_IPGT_SHIFT  = 0
	TIPG_IPGR1_SHIFT = 10
	TIPG_IPGR2_SHIFT = 20
)

// RXCSUM bits.
const (
	RXCSUM_PCSS_MASK = 0xFF   // Packet Checksum Start
	RXCSUM_IPOFL     = 1 << 8 // IP checksum offload enable
	RXCSUM_TUOFL     = 1 << 9 // TCP/UDP checksum offload enable
)

// Legacy receive descriptor (§3.2.3): 16 bytes.
//
//	0  Buffer Address (64)
//	8  Length (16)  10 Packet Checksum (16)
//	12 Status (8)   13 Errors (8)   14 Special (16)
const (
	DescSize = 16

	RDESC_ADDR    = 0
	RDESC_LENGTH  = 8
	RDESC_CSUM    = 10
	RDESC_STATUS  = 12 // the 32-bit word here holds Status, Errors and Special
	RDESC_ERRORS  = 13
	RDESC_SPECIAL = 14
)

// Receive descriptor status bits (§3.2.3.1).
const (
	RXD_STAT_DD    = 1 << 0 // Descriptor Done
	RXD_STAT_EOP   = 1 << 1 // End of Packet
	RXD_STAT_IXSM  = 1 << 2 // Ignore Checksum Indication
	RXD_STAT_VP    = 1 << 3 // 802.1Q
	RXD_STAT_UDPCS = 1 << 4 // UDP checksum calculated (82574; reserved on 8254x)
	RXD_STAT_TCPCS = 1 << 5 // TCP (8254x: TCP or UDP) checksum calculated
	RXD_STAT_IPCS  = 1 << 6 // IPv4 header checksum calculated
	RXD_STAT_PIF   = 1 << 7 // Passed In-exact Filter
)

// Receive descriptor error bits (§3.2.3.2). TCPE and IPE are checksum
// verdicts; the others mean the frame itself is bad.
const (
	RXD_ERR_CE   = 1 << 0 // CRC or Alignment Error
	RXD_ERR_SE   = 1 << 1 // Symbol Error
	RXD_ERR_SEQ  = 1 << 2 // Sequence Error
	RXD_ERR_CXE  = 1 << 4 // Carrier Extension Error
	RXD_ERR_TCPE = 1 << 5 // TCP/UDP Checksum Error
	RXD_ERR_IPE  = 1 << 6 // IP Checksum Error
	RXD_ERR_RXE  = 1 << 7 // RX Data Error

	RXD_ERR_FRAME = RXD_ERR_CE | RXD_ERR_SE | RXD_ERR_SEQ | RXD_ERR_CXE | RXD_ERR_RXE
)

// Transmit descriptors (§3.3). All three kinds are 16 bytes.
//
// Legacy (§3.3.3):
//
//	0  Buffer Address (64)
//	8  Length (16)  10 CSO (8)  11 CMD (8)
//	12 STA (4) RSV (4)  13 CSS (8)  14 Special (16)
//
// TCP/IP context (§3.3.6):
//
//	0 IPCSS (8)  1 IPCSO (8)  2 IPCSE (16)
//	4 TUCSS (8)  5 TUCSO (8)  6 TUCSE (16)
//	8 PAYLEN (20) DTYP (4) TUCMD (8)
//	12 STA (4) RSV (4)  13 HDRLEN (8)  14 MSS (16)
//
// TCP/IP data (§3.3.7):
//
//	0  Buffer Address (64)
//	8  DTALEN (20) DTYP (4) DCMD (8)
//	12 STA (4) RSV (4)  13 POPTS (8)  14 Special (16)
const (
	TDESC_ADDR    = 0
	TDESC_LENGTH  = 8
	TDESC_CSO     = 10
	TDESC_CMD     = 11 // CMD, TUCMD and DCMD share this byte
	TDESC_STA     = 12 // the 32-bit word here holds STA and the fields after it
	TDESC_CSS     = 13
	TDESC_POPTS   = 13
	TDESC_HDRLEN  = 13
	TDESC_MSS     = 14
	TDESC_SPECIAL = 14

	TDESC_IPCSS = 0
	TDESC_IPCSO = 1
	TDESC_IPCSE = 2
	TDESC_TUCSS = 4
	TDESC_TUCSO = 5
	TDESC_TUCSE = 6

	// DTYP, bits 23:20 of the dword at offset 8.
	TXD_DTYP_SHIFT = 20
	TXD_DTYP_C     = 0 // context
	TXD_DTYP_D     = 1 // data
	TXD_LEN_MASK   = 0xFFFFF
)

// Transmit command bits: legacy CMD, context TUCMD and data DCMD (§3.3.3.1,
// §3.3.6.1, §3.3.7.1), as they sit in byte TDESC_CMD.
const (
	TXD_CMD_EOP  = 1 << 0 // End of Packet (legacy, data)
	TXD_CMD_IFCS = 1 << 1 // Insert FCS (legacy, data)
	TXD_CMD_IC   = 1 << 2 // Insert Checksum (legacy)
	TXD_CMD_TSE  = 1 << 2 // TCP Segmentation Enable (context, data)
	TXD_CMD_RS   = 1 << 3 // Report Status
	TXD_CMD_DEXT = 1 << 5 // Descriptor Extension: context or data
	TXD_CMD_VLE  = 1 << 6 // VLAN Packet Enable
	TXD_CMD_IDE  = 1 << 7 // Interrupt Delay Enable

	TUCMD_TCP = 1 << 0 // context: TCP (else UDP)
	TUCMD_IP  = 1 << 1 // context: IPv4 (else IPv6)
)

// Transmit status bits (STA).
const (
	TXD_STAT_DD = 1 << 0 // Descriptor Done
	TXD_STAT_EC = 1 << 1 // Excess Collisions
	TXD_STAT_LC = 1 << 2 // Late Collision
	TXD_STAT_TU = 1 << 3 // Transmit Underrun
)

// Data descriptor packet options (POPTS, §3.3.7.2).
const (
	TXD_POPTS_IXSM = 1 << 0 // insert IP checksum
	TXD_POPTS_TXSM = 1 << 1 // insert TCP/UDP checksum
)
