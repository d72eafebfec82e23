// placeholder while the sandbox lands
