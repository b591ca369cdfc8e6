// game page
