package e1000_test

import (
	"fmt"

	"warren.dev/drivers/e1000"
	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw/hwtest"
)

// A driver on the device model: on Warren the registers come from the
// PCI BAR, the DMA memory and the INTx line from the platform.
func Example() {
	dma := hwtest.NewDMA(1<<32, 4<<20)
	irq := hwtest.NewInterrupt()
	dev := e1000test.New(dma, irq, e1000test.Config{MAC: [6]byte{0x52, 0x54, 0, 0x12, 0x34, 0x56}})

	got := make(chan string, 1)
	d, err := e1000.Open(dev.Regs(), dma, irq, e1000.Options{
		Receive: func(f ether.Frame) { // Data is only valid during the call
			got <- fmt.Sprintf("%d bytes, checksums verified: %v", f.Len(), f.CsumValid)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	fmt.Printf("%s %x up=%v\n", d.Name(), d.MAC(), d.LinkUp())

	frame := make([]byte, 60)
	copy(frame, []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}) // broadcast
	dev.Receive(frame)
	fmt.Println(<-got)

	n, err := d.Transmit([]ether.Frame{{Data: [][]byte{frame}}})
	fmt.Println(n, err, len(dev.TakeSent()))
	// Output:
	// 82540EM 525400123456 up=true
	// 60 bytes, checksums verified: false
	// 1 <nil> 1
}
