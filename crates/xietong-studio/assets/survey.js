// survey page
