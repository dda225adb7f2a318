package initrd

// heapSort sorts n items in place in O(n log n) with no allocation and no
// recursion, which sort.Slice cannot promise.
func heapSort(n int, compare func(i, j int) int, swap func(i, j int)) {
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(i, n, compare, swap)
	}
	for end := n - 1; end > 0; end-- {
		swap(0, end)
		siftDown(0, end, compare, swap)
	}
}

func siftDown(root, n int, compare func(i, j int) int, swap func(i, j int)) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && compare(child, child+1) < 0 {
			child++
		}
		if compare(root, child) >= 0 {
			return
		}
		swap(root, child)
		root = child
	}
}
