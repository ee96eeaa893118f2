// MOVA Live uses Bootstrap's dark colour mode for the whole document, popovers and toasts included.
document.documentElement.setAttribute('data-bs-theme', 'dark');
