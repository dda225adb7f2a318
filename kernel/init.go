package kernel

// bootSymbols keeps the boot entry points linked (bootref_*_amd64.s).
func bootSymbols()

func init() {
	bootSymbols()
}
