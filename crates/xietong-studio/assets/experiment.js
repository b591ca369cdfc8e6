// experiment page
